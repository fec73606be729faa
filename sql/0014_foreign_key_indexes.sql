-- Every foreign key has an index on its referencing side (issue 9): without one, deleting a
-- person or a unit scans initiatives to check nobody still points at it, under a lock.
CREATE INDEX initiatives_person_idx ON initiatives (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX initiatives_recognized_by_idx ON initiatives (recognized_by_unit_id) WHERE recognized_by_unit_id IS NOT NULL;
