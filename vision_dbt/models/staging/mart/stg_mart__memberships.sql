-- One row per change to a Vision Mart Mart Plus membership; is_current_state marks its latest (current) row.

{{ incremental_staging_config('membership_change_key') }}

with

{{ events_to_restage(
    source('raw', 'mart_memberships'), landed_id='membership_id', landed_at='changed_at',
    staged_id='membership_id'
) }}

source as (

    select * from {{ source('raw', 'mart_memberships') }}
    {{ where_event_restaged('membership_id') }}

),

renamed as (

    select
        'mart' as business_line,
        'mart:' || trim(membership_id) as membership_key,
        trim(membership_id) as membership_id,
        'mart:' || trim(shopper_id) as account_key,
        trim(shopper_id) as account_id,
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
