"""HTTP views of the catalog: thin (parse, call a selector, serialize)."""
