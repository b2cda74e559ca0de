-- Athena (Glue catalog): Iceberg tables

CREATE DATABASE IF NOT EXISTS lakepipe;

-- Iceberg tables: Athena reads those registered in the Glue catalog.

-- users_raw: Iceberg table default.users (rest catalog, snapshot 4242424242)
-- It is in Glue already (through Glue's Iceberg REST endpoint); a view gives it
-- the lake's name.
CREATE OR REPLACE VIEW lakepipe.users_raw AS SELECT * FROM "default"."users";

-- users_clean: Iceberg table default.users_clean (rest catalog, snapshot 4242424242)
-- It is in Glue already (through Glue's Iceberg REST endpoint); a view gives it
-- the lake's name.
CREATE OR REPLACE VIEW lakepipe.users_clean AS SELECT * FROM "default"."users_clean";

-- Sample analytics over the clean tables. Each returns the rows of the metric
-- table it names, which the transform jobs keep up to date.

-- sample: users_analytics_gender_distribution (users and share by gender)
SELECT gender, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM lakepipe.users_clean GROUP BY gender ORDER BY users DESC, gender;

-- sample: users_demographics_users_by_country (users and share by country)
SELECT country, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM lakepipe.users_clean GROUP BY country ORDER BY users DESC, country;

-- sample: users_analytics_age_groups (users and share by age group)
SELECT age_group, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM lakepipe.users_clean GROUP BY age_group ORDER BY age_group;

-- Data quality: rows per table.
SELECT 'users_raw' AS table_name, count(*) AS row_count FROM lakepipe.users_raw
UNION ALL
SELECT 'users_clean' AS table_name, count(*) AS row_count FROM lakepipe.users_clean
ORDER BY table_name;

-- Data quality: null rates of users_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN country IS NULL THEN 1.0 ELSE 0.0 END) AS country_null_rate
FROM lakepipe.users_clean;

-- Data quality: freshness of users_clean (its newest record).
SELECT max(registered_date) AS newest, count(*) AS row_count FROM lakepipe.users_clean;

