"""Photos: magic-byte checked, size-limited, stored on disk by content hash, read within scope."""
