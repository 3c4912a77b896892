-- Every membership change of the four business lines, with the span of time each change's plan and status held.

with

changes as (

    {% for line in ['books', 'flicks', 'music', 'mart'] -%}
    select
        membership_change_key,
        membership_key,
        business_line,
        account_key,
        plan,
        status,
        started_at,
        ended_at,
        occurred_at
    from {{ ref('stg_' ~ line ~ '__memberships') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

sequenced as (

    select
        *,
        row_number() over (
            partition by membership_key
            order by occurred_at
        ) as change_number,
        lead(occurred_at) over (
            partition by membership_key
            order by occurred_at
        ) as next_change_at
    from changes

),

final as (

    select
        membership_change_key,
        membership_key,
        business_line,
        account_key,
        plan,
        status,
        started_at,
        ended_at,
        occurred_at,
        change_number,
        case
            when change_number = 1 then cast('1900-01-01 00:00:00' as timestamp)
            else occurred_at
        end as holds_from,
        next_change_at as holds_until,
        next_change_at is null as is_current_state
    from sequenced

)

select * from final
