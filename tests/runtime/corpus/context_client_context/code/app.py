def handler(event, context):
    cc = context.client_context
    return {
        "repr": repr(cc),
        "custom": cc.custom,
        "env": cc.env,
        "app_title": cc.client.app_title,
        "installation_id": cc.client.installation_id,
        "w3c": context.w3c(),
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
    }
