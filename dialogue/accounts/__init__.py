"""People, their roles, passwords, personal sign-in links and API tokens."""
