raise RuntimeError("configuración inválida")


def handler(event, context):
    return 1
