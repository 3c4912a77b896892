{#-
    Identity resolution: which real person (customer_key) holds each account of the four business lines.

    Two accounts belong to the same customer when they share a match key, directly or through a chain of
    accounts:
      1. the normalised email (normalize_email: case, surrounding space, googlemail.com = gmail.com, dots
         ignored by Gmail, +tags stripped where the provider ignores them), unless that email is a shared
         mailbox: one normalised email used under two or more different normalised names is never a link;
      2. the normalised name (normalize_person_name: case, spacing, "Last, First" order) together with the
         billing country, region and city, compared case- and space-insensitively.
    Accounts linked by these keys form one customer (the connected components of the account graph, found
    by var('identity_link_rounds') rounds of min-label propagation). The customer's anchor is its first
    account to sign up (ties broken by account_key); customer_key is a hash of that account's key, so it
    stays stable as later accounts join.
-#}

with

accounts as (

    {% for line in ['books', 'flicks', 'music', 'mart'] -%}
    select
        account_key,
        business_line,
        account_id,
        customer_name,
        email,
        country_code,
        region,
        city,
        geography_key,
        signed_up_at,
        updated_at
    from {{ ref('stg_' ~ line ~ '__customers') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

normalized as (

    select
        *,
        {{ normalize_email('email') }} as normalized_email,
        {{ normalize_person_name('customer_name') }} as normalized_name
    from accounts

),

shared_mailboxes as (

    select
        normalized_email
    from normalized
    where normalized_email is not null
        and normalized_name is not null
    group by normalized_email
    having count(distinct normalized_name) > 1

),

match_keys as (

    select
        normalized.*,
        case
            when shared_mailboxes.normalized_email is null then normalized.normalized_email
        end as email_match_key,
        case
            when normalized.normalized_name is not null
                and normalized.country_code is not null
                and normalized.region is not null
                and normalized.city is not null
                then normalized.normalized_name
                || '|' || normalized.country_code
                || '|' || lower(normalized.region)
                || '|' || lower(normalized.city)
        end as name_geography_match_key,
        row_number() over (
            order by normalized.signed_up_at, normalized.account_key
        ) as signup_rank
    from normalized
    left join shared_mailboxes
        on normalized.normalized_email = shared_mailboxes.normalized_email

),

labels_0 as (

    select
        account_key,
        email_match_key,
        name_geography_match_key,
        signup_rank as label
    from match_keys

),

{% for round in range(1, var('identity_link_rounds') + 1) -%}
labels_{{ round }} as (

    select
        labels.account_key,
        labels.email_match_key,
        labels.name_geography_match_key,
        least(
            labels.label,
            coalesce(by_email.label, labels.label),
            coalesce(by_name_geography.label, labels.label)
        ) as label
    from labels_{{ round - 1 }} as labels
    left join (
        select
            email_match_key,
            min(label) as label
        from labels_{{ round - 1 }}
        where email_match_key is not null
        group by email_match_key
    ) as by_email
        on labels.email_match_key = by_email.email_match_key
    left join (
        select
            name_geography_match_key,
            min(label) as label
        from labels_{{ round - 1 }}
        where name_geography_match_key is not null
        group by name_geography_match_key
    ) as by_name_geography
        on labels.name_geography_match_key = by_name_geography.name_geography_match_key

),

{% endfor -%}

components as (

    select
        account_key,
        label as anchor_signup_rank
    from labels_{{ var('identity_link_rounds') }}

),

anchored as (

    select
        match_keys.*,
        anchors.account_key as anchor_account_key
    from match_keys
    inner join components
        on match_keys.account_key = components.account_key
    inner join match_keys as anchors
        on components.anchor_signup_rank = anchors.signup_rank

),

shared_key_counts as (

    select
        account_key,
        count(*) over (partition by anchor_account_key) as customer_account_count,
        count(*) over (partition by anchor_account_key, email_match_key) as accounts_sharing_email,
        count(*) over (partition by anchor_account_key, name_geography_match_key) as accounts_sharing_name_geography
    from anchored

),

final as (

    select
        anchored.account_key,
        anchored.business_line,
        anchored.account_id,
        {{ surrogate_key(['anchored.anchor_account_key']) }} as customer_key,
        case
            when shared_key_counts.customer_account_count = 1 then 'single_account'
            when anchored.email_match_key is not null
                and shared_key_counts.accounts_sharing_email > 1
                and anchored.name_geography_match_key is not null
                and shared_key_counts.accounts_sharing_name_geography > 1
                then 'email_and_name_geography'
            when anchored.email_match_key is not null
                and shared_key_counts.accounts_sharing_email > 1
                then 'email'
            else 'name_geography'
        end as match_method,
        anchored.account_key = anchored.anchor_account_key as is_anchor_account,
        anchored.anchor_account_key,
        anchored.customer_name,
        anchored.email,
        anchored.normalized_name,
        anchored.normalized_email,
        anchored.email_match_key,
        anchored.name_geography_match_key,
        anchored.country_code,
        anchored.region,
        anchored.city,
        anchored.geography_key,
        anchored.signed_up_at,
        anchored.updated_at
    from anchored
    inner join shared_key_counts
        on anchored.account_key = shared_key_counts.account_key

)

select * from final
