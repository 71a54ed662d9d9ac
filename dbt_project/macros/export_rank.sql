{#
    Rank the copies of one source record that repeated exports landed: 1 is the copy to
    keep, the most recently modified (when the source says), then the latest loaded, then
    the latest file, then the later line of it (a file that lists a record twice with
    different values: the later line, on every engine, never an arbitrary one). Staging
    keeps `export_rank = 1`. NULLs sort last on every engine
    (PostgreSQL puts them first in a descending order, DuckDB last: say it).

    partition_by: the record's key column(s), as SQL
    modified_at:  the source's last-modified column, if it has one
#}
{% macro export_rank(partition_by, modified_at=none) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by
            {% if modified_at %}{{ modified_at }} desc nulls last, {% endif -%}
            _loaded_at desc nulls last,
            _source_file desc nulls last,
            _source_line desc nulls last
    )
{%- endmacro %}
