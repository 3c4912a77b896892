{#
    Reviews: one row per review or rating a customer gave a product of a business line, each keeping its
    latest landed copy; `has_review_text` tells a written review from a bare rating. Each line's model
    passes the names its export uses for the review, the account, the product, the rating and the time it
    was given. Staged incrementally (macros/staging.sql).
#}

{% macro stage_reviews(
    line, review_column, account_column, product_column, rating_column, event_time_column
) %}

with

{{ restaged_source(
    source('raw', line ~ '_reviews'), landed_id=review_column, landed_at=event_time_column,
    staged_id='review_id'
) }}

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim({{ review_column }}) as review_key,
        trim({{ review_column }}) as review_id,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        '{{ line }}:' || trim({{ product_column }}) as product_key,
        trim({{ product_column }}) as product_id,
        cast({{ rating_column }} as integer) as rating,
        nullif(trim(review_text), '') as review_text,
        {{ event_time_column }} as occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'review_id') }}

),

final as (

    select
        review_key,
        business_line,
        review_id,
        account_key,
        account_id,
        product_key,
        product_id,
        rating,
        review_text,
        review_text is not null as has_review_text,
        occurred_at,
        loaded_at
    from copies
    where copy_rank = 1

)

{{ select_restaged('final', 'review_key') }}

{% endmacro %}
