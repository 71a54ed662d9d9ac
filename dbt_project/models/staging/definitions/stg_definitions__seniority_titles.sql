with

source as (
    select * from {{ source('definitions', 'seniority_titles') }}
),

renamed as (
    select
        definitions_version,
        job_title,
        {{ normalize_text('job_title') }} as title_key,
        seniority,
        seniority_points
    from source
)

select * from renamed
