-- Athena (Glue catalog): Iceberg tables

CREATE DATABASE IF NOT EXISTS lakepipe;

-- Iceberg tables: Athena reads those registered in the Glue catalog.

-- users_raw: Iceberg table default.users (file catalog, snapshot 4242424242)
-- Register its current metadata file in Glue (Athena's CREATE TABLE with
-- 'table_type' = 'ICEBERG' would create a new, empty table instead):
--   aws glue create-table --database-name lakepipe --table-input '{"Name": "users_raw", "TableType": "EXTERNAL_TABLE", "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://lake/wh/default/users/metadata/v3.metadata.json"}, "StorageDescriptor": {"Location": "s3://lake/wh/default/users"}}'
-- and after new commits point Glue at the newer metadata file:
--   aws glue update-table --database-name lakepipe --table-input '<the same, with
--   "metadata_location": <newer file>, "previous_metadata_location": "s3://lake/wh/default/users/metadata/v3.metadata.json">'

-- users_clean: Iceberg table default.users_clean (file catalog, snapshot 4242424242)
-- Register its current metadata file in Glue (Athena's CREATE TABLE with
-- 'table_type' = 'ICEBERG' would create a new, empty table instead):
--   aws glue create-table --database-name lakepipe --table-input '{"Name": "users_clean", "TableType": "EXTERNAL_TABLE", "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://lake/wh/default/users_clean/metadata/v3.metadata.json"}, "StorageDescriptor": {"Location": "s3://lake/wh/default/users_clean"}}'
-- and after new commits point Glue at the newer metadata file:
--   aws glue update-table --database-name lakepipe --table-input '<the same, with
--   "metadata_location": <newer file>, "previous_metadata_location": "s3://lake/wh/default/users_clean/metadata/v3.metadata.json">'

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

