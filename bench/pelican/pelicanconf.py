"""Pelican settings for `make bench`: the pages sitegen makes for a tag-heavy link-blog.

One page per post, tag pages of 30 posts each, one Atom feed of 20 entries per tag,
plus the paginated home page and the tag index. No categories, authors, archives or
site-wide feeds. Content, output and cache folders come from the command line.
"""

from pathlib import Path

SITENAME = "Bench Links"
SITEURL = "https://example.org"
AUTHOR = "Bench"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = str(Path(__file__).resolve().parent / "theme")

ARTICLE_URL = "{date:%Y}/{date:%b}/{date:%-d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_SAVE_AS = "tags/index.html"
DEFAULT_PAGINATION = 30
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DIRECT_TEMPLATES = ["index", "tags"]

TAG_FEED_ATOM = "tags/{slug}.atom"
TAG_FEED_ATOM_URL = TAG_FEED_ATOM
FEED_MAX_ITEMS = 20
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
USE_FOLDER_AS_CATEGORY = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
