"""lambda-console: a local AWS Lambda console for Python handlers.

The execution engine lives in `console.engine`, the command line in `console.cli`.
"""
