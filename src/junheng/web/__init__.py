"""The web platform: FastAPI app, pages, API, authentication and region scoping."""
