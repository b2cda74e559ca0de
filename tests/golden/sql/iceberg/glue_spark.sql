-- Spark SQL: Iceberg tables

-- Iceberg tables through the Iceberg catalog 'lakepipe' (rest catalog). Start spark-sql with
-- the Iceberg Spark runtime and these settings (--conf or spark-defaults.conf):
--   spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions
--   spark.sql.catalog.lakepipe=org.apache.iceberg.spark.SparkCatalog
--   spark.sql.catalog.lakepipe.type=rest
--   spark.sql.catalog.lakepipe.uri=https://glue.us-east-1.amazonaws.com/iceberg
--   spark.sql.catalog.lakepipe.warehouse=123456789012
--   spark.sql.catalog.lakepipe.rest.sigv4-enabled=true
--   spark.sql.catalog.lakepipe.rest.signing-name=glue
--   spark.sql.catalog.lakepipe.rest.signing-region=us-east-1
--   spark.sql.catalog.lakepipe.io-impl=org.apache.iceberg.aws.s3.S3FileIO

-- users_raw: Iceberg table default.users (rest catalog, snapshot 4242424242)
CREATE OR REPLACE TEMPORARY VIEW users_raw AS SELECT * FROM lakepipe.`default`.`users`;

-- users_clean: Iceberg table default.users_clean (rest catalog, snapshot 4242424242)
CREATE OR REPLACE TEMPORARY VIEW users_clean AS SELECT * FROM lakepipe.`default`.`users_clean`;

-- Sample analytics over the clean tables. Each returns the rows of the metric
-- table it names, which the transform jobs keep up to date.

-- sample: users_analytics_gender_distribution (users and share by gender)
SELECT gender, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY gender ORDER BY users DESC, gender;

-- sample: users_demographics_users_by_country (users and share by country)
SELECT country, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY country ORDER BY users DESC, country;

-- sample: users_analytics_age_groups (users and share by age group)
SELECT age_group, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY age_group ORDER BY age_group;

-- Data quality: rows per table.
SELECT 'users_raw' AS table_name, count(*) AS row_count FROM users_raw
UNION ALL
SELECT 'users_clean' AS table_name, count(*) AS row_count FROM users_clean
ORDER BY table_name;

-- Data quality: null rates of users_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN country IS NULL THEN 1.0 ELSE 0.0 END) AS country_null_rate
FROM users_clean;

-- Data quality: freshness of users_clean (its newest record).
SELECT max(registered_date) AS newest, count(*) AS row_count FROM users_clean;

