"""A stand-in for Prefect's API app in tests of the kept local server (flows/server/kept.py):
it answers ``/api/health`` as Prefect does and boots in a fraction of a second."""


def create_app():
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif scope["type"] == "http":
            found = scope["path"] == "/api/health"
            await send({"type": "http.response.start", "status": 200 if found else 404,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b"true" if found else b"{}"})

    return app


def create_sick_app():
    """A server that is up but whose API does not answer as healthy (a hung server)."""
    healthy = create_app()

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return await healthy(scope, receive, send)
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app
