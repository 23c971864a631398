"""What the service app does when the records it derives from change, one module per part."""
