# The one entry point for people. Each target calls one script; see scripts/.
.PHONY: run db api worker web client openapi lint test bench migrate sample-video help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run:  ## everything, in the foreground: embedded DB (unless MONGODB_URL is set), the API, a worker and the web app
	@scripts/run.sh

db:  ## the embedded MongoDB stand-in alone, on DB_PORT (default 27017), data in .data/
	@scripts/db.sh

api:  ## the API alone, on API_PORT (default 8000), against MONGODB_URL
	@scripts/api.sh

worker:  ## one media worker (probe, poster, storyboard, playable copy) against MONGODB_URL; WORKER_CONCURRENCY, JOB_LEASE_SECONDS
	@scripts/worker.sh

web:  ## the web app alone: build and serve frontend/dist on WEB_PORT (default 5173), API at API_URL
	@scripts/web.sh

client:  ## regenerate the web app's typed API client from openapi/openapi.json
	@scripts/client.sh

openapi:  ## regenerate openapi/openapi.json from the app
	@scripts/openapi.sh

lint:  ## ruff and mypy (strict)
	@scripts/lint.sh

test:  ## every test, lint included
	@scripts/test.sh

bench:  ## benchmarks: own DB, API and load generator; results in bench/results.{md,json}
	@scripts/bench.sh

migrate:  ## copy everything (users, videos, GridFS, indexes) FROM=<url> TO=<url>, resumable, then verify
	@scripts/migrate.sh

sample-video:  ## write clip.mp4, a 5-second real video to try the API with
	@scripts/sample_video.sh
