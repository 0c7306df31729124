-- 0006_headscale_nodes: devices that mirror the nodes of a headscale server.
--
-- devices.headscale_node_id is the node's id as headscale prints it; NULL for
-- devices that are not headscale nodes. Unique, so one node is one device.
-- devices.online is whether the node is connected to headscale (NULL when
-- unknown: devices that are not headscale nodes).
ALTER TABLE devices ADD COLUMN headscale_node_id TEXT;
ALTER TABLE devices ADD COLUMN online INTEGER CHECK (online IN (0, 1));
CREATE UNIQUE INDEX devices_headscale_node_id ON devices (headscale_node_id);
