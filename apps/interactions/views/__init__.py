"""HTTP views of the interactions app, one module per resource."""
