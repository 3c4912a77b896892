-- One row per calendar day from var('calendar_start_date'), 10,000 days (to 2052 with the default start).

with

day_numbers as (

    {{ integers_0_to_9999() }}

),

days as (

    select
        {{ add_days("'" ~ var('calendar_start_date') ~ "'", 'n') }} as date_day
    from day_numbers

),

final as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as calendar_year,
        cast(extract(quarter from date_day) as integer) as calendar_quarter,
        cast(extract(month from date_day) as integer) as calendar_month,
        case cast(extract(month from date_day) as integer)
            when 1 then 'January'
            when 2 then 'February'
            when 3 then 'March'
            when 4 then 'April'
            when 5 then 'May'
            when 6 then 'June'
            when 7 then 'July'
            when 8 then 'August'
            when 9 then 'September'
            when 10 then 'October'
            when 11 then 'November'
            when 12 then 'December'
        end as month_name,
        {{ month_start('date_day') }} as month_start_date,
        cast(extract(day from date_day) as integer) as day_of_month,
        {{ iso_year('date_day') }} as iso_year,
        {{ iso_week('date_day') }} as iso_week,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        case {{ iso_day_of_week('date_day') }}
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            when 7 then 'Sunday'
        end as day_name,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend
    from days

)

select * from final
