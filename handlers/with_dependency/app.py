"""A handler that imports a package shipped beside it in the deployment package (the code root is on sys.path)."""

import textkit


def handler(event, context):
    title = event["title"]
    return {"slug": textkit.slugify(title), "words": textkit.word_count(title), "textkit": textkit.__version__}
