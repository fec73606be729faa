-- Campaigns (phong trào thi đua): launched by a unit under a plan document, for a period, with
-- the clusters that take part (none: open to every unit) and the indicators they are scored on.

CREATE TABLE campaigns (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                 text NOT NULL,
    title                text NOT NULL,
    kind                 text NOT NULL,
    theme                text,
    launched_by_unit_id  bigint NOT NULL,
    plan_document        text,
    plan_date            date,
    starts_on            date NOT NULL,
    ends_on              date NOT NULL,
    status               text NOT NULL DEFAULT 'draft',
    description          text,
    search               tsvector GENERATED ALWAYS AS (to_tsvector('simple', tdkt_fold(
                             code || ' ' || title || ' ' || coalesce(theme, '') || ' ' || coalesce(plan_document, '')))) STORED,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_code_key UNIQUE (code),
    CONSTRAINT campaigns_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9.\-]{0,31}$'),
    CONSTRAINT campaigns_title_length CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT campaigns_theme_length CHECK (char_length(theme) <= 500),
    CONSTRAINT campaigns_plan_document_length CHECK (char_length(plan_document) <= 64),
    CONSTRAINT campaigns_description_length CHECK (char_length(description) <= 4000),
    CONSTRAINT campaigns_kind_check CHECK (kind IN ('regular', 'thematic')),
    CONSTRAINT campaigns_status_check CHECK (status IN ('draft', 'active', 'closed')),
    CONSTRAINT campaigns_period CHECK (ends_on >= starts_on),
    CONSTRAINT campaigns_launched_by_fkey FOREIGN KEY (launched_by_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX campaigns_status_idx ON campaigns (status, id);
CREATE INDEX campaigns_kind_idx ON campaigns (kind, id);
CREATE INDEX campaigns_launched_by_idx ON campaigns (launched_by_unit_id, id);
CREATE INDEX campaigns_period_idx ON campaigns (starts_on, ends_on);
CREATE INDEX campaigns_search_idx ON campaigns USING gin (search);

CREATE TABLE campaign_clusters (
    campaign_id  bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    cluster_id   bigint NOT NULL,
    CONSTRAINT campaign_clusters_pkey PRIMARY KEY (campaign_id, cluster_id),
    CONSTRAINT campaign_clusters_cluster_fkey FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE RESTRICT
);
CREATE INDEX campaign_clusters_cluster_idx ON campaign_clusters (cluster_id, campaign_id);

CREATE TABLE campaign_indicators (
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    indicator_code  text COLLATE "C" NOT NULL,
    max_points      integer,
    CONSTRAINT campaign_indicators_pkey PRIMARY KEY (campaign_id, indicator_code),
    CONSTRAINT campaign_indicators_points CHECK (max_points BETWEEN 0 AND 1000),
    CONSTRAINT campaign_indicators_indicator_fkey FOREIGN KEY (indicator_code) REFERENCES indicators (code) ON DELETE RESTRICT
);
CREATE INDEX campaign_indicators_indicator_idx ON campaign_indicators (indicator_code);

CREATE TRIGGER campaigns_record_change AFTER INSERT OR UPDATE OR DELETE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('campaign');
