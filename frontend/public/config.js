// Runtime settings, loaded before the app. `make web` (and the Docker image)
// overwrite this file with the API_URL of the environment.
window.VIDVAULT_CONFIG = { apiUrl: "http://127.0.0.1:8000" };
