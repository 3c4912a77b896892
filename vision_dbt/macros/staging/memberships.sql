{#
    Memberships: one row per change to a business line's membership or subscription (a plan, a status, a
    start or an end), each change keeping its latest landed copy. `is_current_state` marks the latest change
    of each membership: its state now. Each line's model passes the names its export uses for the
    membership and the account. Staged incrementally (macros/staging.sql), by whole memberships, since which
    change is current depends on all of a membership's changes.
#}

{% macro stage_memberships(line, membership_column, account_column) %}

with

{{ restaged_source(
    source('raw', line ~ '_memberships'), landed_id=membership_column, landed_at='changed_at',
    staged_id='membership_id'
) }}

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim({{ membership_column }}) as membership_key,
        trim({{ membership_column }}) as membership_id,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        lower(trim(plan)) as plan,
        lower(trim(status)) as status,
        started_at,
        ended_at,
        changed_at as occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'membership_id, occurred_at') }}

),

ranked as (

    -- The membership's changes newest first: the first is its current state.
    select
        *,
        row_number() over (
            partition by membership_id
            order by occurred_at desc, loaded_at desc
        ) as state_rank
    from copies
    where copy_rank = 1

),

final as (

    select
        {{ surrogate_key(['membership_key', 'occurred_at']) }} as membership_change_key,
        membership_key,
        business_line,
        membership_id,
        account_key,
        account_id,
        plan,
        status,
        started_at,
        ended_at,
        occurred_at,
        state_rank = 1 as is_current_state,
        loaded_at
    from ranked

)

{{ select_restaged('final', 'membership_change_key') }}

{% endmacro %}
