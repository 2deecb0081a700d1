"""The HTTP front: function URLs (and API Gateway's proxy events) served on their own port.

`request` turns an HTTP request into the event Lambda hands a function (payload format 2.0, as function URLs and
HTTP APIs send it; 1.0, as REST APIs' proxy integrations send it); `response` turns what the function returned into
the HTTP answer, with the answers Lambda and API Gateway give when it failed; `cors` answers as function URLs do for
browsers; `routes` matches API Gateway routes (`/items/{id}`, `{proxy+}`, ANY) for SAM's API events; `server` is the
WSGI application of the second listener. None of it imports flask.
"""
