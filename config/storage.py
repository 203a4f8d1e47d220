"""Static file storage for production: whitenoise's compressed, hashed names.

GOV.UK Frontend's minified files end with a sourceMappingURL comment naming a .map file that
is not vendored; Django would refuse to collect them, so those references are left as they are
(a browser's developer tools simply find no map)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (glob, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for glob, rules in patterns
    )


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
