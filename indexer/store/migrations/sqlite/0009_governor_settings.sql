-- The governor's current settings (its last `SettingsChanged` event, as the decoded domain
-- event JSON), a derived table like the others. The API reads the grace period from it for
-- every proposal it serves; finding the last such event among all raw events instead cost a
-- scan of raw_events per request. Filled here from the events already stored.
CREATE TABLE governor_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    settings    TEXT    NOT NULL,
    block       BIGINT  NOT NULL,
    event_index BIGINT  NOT NULL
);
INSERT INTO governor_settings (id, settings, block, event_index)
SELECT 1, decoded, block, event_index FROM raw_events
WHERE decoded LIKE '{"kind":"GovernorSettingsChanged"%'
ORDER BY block DESC, event_index DESC
LIMIT 1;
