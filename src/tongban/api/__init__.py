"""api (layer 5): the REST API at /api/v1/ (django-ninja), assembled from routers."""
