-- The task that renders a rendering inline, when it is not its item's
-- item:render: after a brand change one items:render task renders a
-- group of item versions. The reconciler asks the queue about it before
-- taking a rendering whose own task is missing for lost.
ALTER TABLE renderings ADD COLUMN fanout TEXT NOT NULL DEFAULT '';
