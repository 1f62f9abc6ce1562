"""Each person's home page, assembled from the sections areas register for the roles they hold."""
