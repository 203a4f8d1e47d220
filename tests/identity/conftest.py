from tests.identity.oidc import make_directory, oidc_provider  # noqa: F401
