# fupin — two commands on a fresh machine:  make run   (set up everything and serve on 127.0.0.1:8000)
#                                            make test  (the whole suite)
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
FUPIN := $(UV) run --frozen fupin
DEMO_HOUSEHOLDS ?= 20000
HOST ?= 127.0.0.1:8000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench

.PHONY: run test setup system-packages uv venv assets catalogue db serve lint typecheck messages bench bench-foundation bench-registry clean
.PHONY: bench-lifecycle bench-pages bench-workbench
.PHONY: bench-exchange
.PHONY: bench-monitoring bench-quality

run: setup db serve

# PYTEST_ARGS narrows a run, e.g. PYTEST_ARGS='-m "not browser"' (CI runs the browser tests on SQLite only).
test: setup
	$(UV) run --frozen pytest $(PYTEST_ARGS)

setup: system-packages venv assets catalogue

CATALOGUE := src/fupin/locale/zh_Hans/LC_MESSAGES/django
catalogue: $(CATALOGUE).mo
$(CATALOGUE).mo: $(CATALOGUE).po
	cd src/fupin && $(UV) run --frozen fupin compilemessages --verbosity 0

# Debian packages the platform needs: CJK fonts (PDF, screenshots), Chromium (browser tests), gettext (translations),
# Java 17 (the Spark engine of the batch jobs, pyspark).
system-packages:
	@missing=""; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v chromium >/dev/null || missing="$$missing chromium chromium-driver"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install the Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

uv:
	@command -v uv >/dev/null || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

venv: uv
	@$(UV) sync --frozen --quiet

assets:
	@[ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error

# Database: migrate, the real division tree of the whole country, 三区三州 flags, synthetic demo registry, early-warning
# demo users, lifecycle cases at every step with recent incomes and monitoring objects (demo_lifecycle), early-warning
# alerts, data-quality findings (a few planted errors in the demo county), work waiting on the workbench (some of it
# overdue: demo_workbench), indicator values (past years frozen, the current year and month open).
db:
	$(FUPIN) migrate --verbosity 0
	$(FUPIN) load_regions
	$(FUPIN) set_region_flags src/fupin/regions/data/sanqu_sanzhou.csv
	$(FUPIN) demo --households $(DEMO_HOUSEHOLDS) --if-empty
	$(FUPIN) demo_connectivity
	$(FUPIN) demo_commerce --if-empty
	$(FUPIN) demo_team --if-empty
	$(FUPIN) demo_exchange --planted 30 --if-empty
	$(FUPIN) demo_projects --if-empty
	$(FUPIN) demo_users
	$(FUPIN) demo_lifecycle --if-empty
	$(FUPIN) run_monitoring
	$(FUPIN) demo_quality --if-empty
	$(FUPIN) default_assessment
	$(FUPIN) demo_workbench --if-empty
	$(FUPIN) demo_welfare --if-empty
	$(FUPIN) demo_portal
	for year in 2020 2021 2022 2023 2024 2025; do $(FUPIN) freeze_indicators $$year --if-open || exit 1; done
	$(FUPIN) refresh_indicators --verbosity 0

# Served like production: gunicorn (WEB_WORKERS processes × 4 threads, static files by WhiteNoise), the
# background worker and the scheduler; Ctrl-C stops all three.
WEB_WORKERS ?= 3
serve: var/secret_key
	@echo "fupin: http://$(HOST)/  (demo logins in README.md; Ctrl-C stops the server and the worker)"
	@$(FUPIN) recover_tasks
	@$(FUPIN) db_worker --queue-name default --no-reload & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(FUPIN) schedule & scheduler=$$!; trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	$(UV) run --frozen gunicorn fupin.wsgi:application --bind $(HOST) --workers $(WEB_WORKERS) --threads 4 \
	  --access-logfile - --graceful-timeout 10 --timeout 120

# A random key for sessions and CSRF, made once (settings read it when FUPIN_SECRET_KEY is not set).
var/secret_key:
	@mkdir -p var && umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# ruff, mypy, the project's own rules (tools/custom_check.py) and the import contracts (pyproject.toml).
lint: venv
	$(UV) run --frozen ruff check src tools
	$(UV) run --frozen mypy src/fupin
	$(UV) run --frozen python tools/custom_check.py
	$(UV) run --frozen lint-imports

typecheck: venv
	$(UV) run --frozen mypy src/fupin

messages: venv
	cd src/fupin && $(UV) run --frozen fupin makemessages -l zh_Hans --no-obsolete --no-location -i conftest.py -i testing.py -i "*/tests/*" && $(UV) run --frozen fupin compilemessages

bench: bench-foundation

# Foundation figures (issue 2) on a fresh SQLite file and a fresh PostgreSQL database.
bench-foundation: setup
	rm -f var/bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(FUPIN) migrate --verbosity 0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(FUPIN) bench foundation
	psql "$(dir $(BENCH_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_PG))" -c "CREATE DATABASE $(notdir $(BENCH_PG))"
	DATABASE_URL=$(BENCH_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_PG) $(FUPIN) bench foundation

# Registry import figures (R2.4): 1,000,000 persons exported to CSV and imported again, SQLite and PostgreSQL.
BENCH_REGISTRY_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_registry
BENCH_PERSONS ?= 1000000
# the smaller .xlsx import, and (BENCH_XLSX_MB > 0) a workbook of about that many MiB imported in a child process
# whose peak memory is reported (issue 22 item 6: BENCH_PERSONS=460000 BENCH_XLSX_PERSONS=20000 BENCH_XLSX_MB=100)
BENCH_XLSX_PERSONS ?= 100000
BENCH_XLSX_MB ?= 0
BENCH_REGISTRY_ARGS = --persons $(BENCH_PERSONS) --xlsx-persons $(BENCH_XLSX_PERSONS) --xlsx-mb $(BENCH_XLSX_MB)
bench-registry: setup
	rm -f var/bench-registry.sqlite3*
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench-registry.sqlite3 $(FUPIN) migrate --verbosity 0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench-registry.sqlite3 $(FUPIN) bench registry $(BENCH_REGISTRY_ARGS)
	psql "$(dir $(BENCH_REGISTRY_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_REGISTRY_PG))" -c "CREATE DATABASE $(notdir $(BENCH_REGISTRY_PG))"
	DATABASE_URL=$(BENCH_REGISTRY_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_REGISTRY_PG) $(FUPIN) bench registry $(BENCH_REGISTRY_ARGS)

clean:
	rm -rf var/*.sqlite3* var/static

# Lifecycle figures (issue 4): exit evaluation of 1,000,000 demo households on a fresh PostgreSQL database.
BENCH_LIFECYCLE_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_lifecycle
BENCH_LIFECYCLE_HOUSEHOLDS ?= 1000000
# The workbench's counts and the home page per demo user, on the demo database `make db` made (PostgreSQL when
# DATABASE_URL is set).
bench-workbench: setup
	$(FUPIN) bench workbench

bench-lifecycle: setup
	psql "$(dir $(BENCH_LIFECYCLE_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_LIFECYCLE_PG))" -c "CREATE DATABASE $(notdir $(BENCH_LIFECYCLE_PG))"
	DATABASE_URL=$(BENCH_LIFECYCLE_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_LIFECYCLE_PG) $(FUPIN) bench lifecycle --households $(BENCH_LIFECYCLE_HOUSEHOLDS)

# Department comparison figures (issue 5): N persons against 10 batches of 5·N rows, DuckDB over Parquet.
BENCH_EXCHANGE_PERSONS ?= 10000000
bench-exchange: setup
	$(FUPIN) bench exchange --persons 1000000
	$(FUPIN) bench exchange --persons 5000000
	$(FUPIN) bench exchange --persons $(BENCH_EXCHANGE_PERSONS)

# Coverage ledger figures (issue 7): every village of the country on a fresh PostgreSQL database.
BENCH_CONNECTIVITY_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_connectivity
.PHONY: bench-connectivity
bench-connectivity: setup
	psql "$(dir $(BENCH_CONNECTIVITY_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_CONNECTIVITY_PG))" -c "CREATE DATABASE $(notdir $(BENCH_CONNECTIVITY_PG))"
	DATABASE_URL=$(BENCH_CONNECTIVITY_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_CONNECTIVITY_PG) $(FUPIN) bench connectivity

# Rural e-commerce (issue 15): an upload of BENCH_COMMERCE_ROWS purchases, the indicators after it, the trace page,
# on a fresh PostgreSQL database with 20,000 demo households.
BENCH_COMMERCE_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_commerce
BENCH_COMMERCE_ROWS ?= 1000000
.PHONY: bench-commerce
bench-commerce: setup
	psql "$(dir $(BENCH_COMMERCE_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_COMMERCE_PG))" -c "CREATE DATABASE $(notdir $(BENCH_COMMERCE_PG))"
	DATABASE_URL=$(BENCH_COMMERCE_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_COMMERCE_PG) $(FUPIN) bench commerce --households 20000 --purchases $(BENCH_COMMERCE_ROWS)

# Every main page of every demo role timed on the demo database (make db first; DATABASE_URL picks PostgreSQL):
# median of 3 GETs in-process, pages over 300 ms marked (issue 21).
bench-pages: setup
	$(FUPIN) page_tour

# Every main page of every demo role at 1366 and 375 px into var/screenshots (headless system Chromium; a server
# is started on SCREENSHOT_HOST for the run; make db first).
SCREENSHOT_HOST ?= 127.0.0.1:8106
.PHONY: screenshots
screenshots: setup var/secret_key
	$(UV) run --frozen python tools/screenshots.py --host $(SCREENSHOT_HOST)

# List, search and dossier pages with 1,000,000 persons (issue 3) on a fresh PostgreSQL database.
BENCH_PAGES_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_pages
.PHONY: bench-pages-large
bench-pages-large: setup
	psql "$(dir $(BENCH_PAGES_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_PAGES_PG))" -c "CREATE DATABASE $(notdir $(BENCH_PAGES_PG))"
	DATABASE_URL=$(BENCH_PAGES_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_PAGES_PG) $(FUPIN) load_regions --province 53
	DATABASE_URL=$(BENCH_PAGES_PG) $(FUPIN) demo --households 316000
	DATABASE_URL=$(BENCH_PAGES_PG) $(FUPIN) demo_users
	DATABASE_URL=$(BENCH_PAGES_PG) $(FUPIN) bench pages

# Early-warning figures (issue 6): every warning rule over N demo households on a fresh PostgreSQL database.
BENCH_MONITORING_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_monitoring
BENCH_MONITORING_HOUSEHOLDS ?= 1000000
bench-monitoring: setup
	psql "$(dir $(BENCH_MONITORING_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_MONITORING_PG))" -c "CREATE DATABASE $(notdir $(BENCH_MONITORING_PG))"
	DATABASE_URL=$(BENCH_MONITORING_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_MONITORING_PG) $(FUPIN) bench monitoring --households $(BENCH_MONITORING_HOUSEHOLDS)

# Indicator figures (issue 8): full rebuild, incremental refresh after 1,000 household changes and the dashboard,
# with 100,000 and 1,000,000 demo households, each on a fresh PostgreSQL database.
BENCH_INDICATORS_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_indicators
.PHONY: bench-indicators
bench-indicators: setup
	for n in 100000 1000000; do \
	  db=$(notdir $(BENCH_INDICATORS_PG))_$$n; \
	  psql "$(dir $(BENCH_INDICATORS_PG))postgres" -qc "DROP DATABASE IF EXISTS $$db" -c "CREATE DATABASE $$db" && \
	  DATABASE_URL=$(dir $(BENCH_INDICATORS_PG))$$db $(FUPIN) migrate --verbosity 0 && \
	  DATABASE_URL=$(dir $(BENCH_INDICATORS_PG))$$db $(FUPIN) bench indicators --households $$n || exit 1; \
	done

# Data-quality figures (issue 14): every rule over the demo registry (first run and re-run) and a township's
# findings pages, on a fresh PostgreSQL database. BENCH_QUALITY_REUSE=1 keeps the database (and its registry: the
# generator runs only on an empty one) and empties the findings first, for measuring again.
BENCH_QUALITY_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_quality
BENCH_QUALITY_HOUSEHOLDS ?= 1000000
BENCH_QUALITY_REUSE ?=
bench-quality: setup
	$(if $(BENCH_QUALITY_REUSE),,psql "$(dir $(BENCH_QUALITY_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_QUALITY_PG))" -c "CREATE DATABASE $(notdir $(BENCH_QUALITY_PG))")
	DATABASE_URL=$(BENCH_QUALITY_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_QUALITY_PG) $(FUPIN) bench quality --households $(BENCH_QUALITY_HOUSEHOLDS) $(if $(BENCH_QUALITY_REUSE),--clear-findings)

# Projects and funds figures (issue 18): disbursement upload of N rows, spent vs allocated for every region and line,
# the overdue-task list, on a fresh PostgreSQL database.
BENCH_PROJECTS_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_projects
BENCH_DISBURSEMENTS ?= 1000000
.PHONY: bench-projects
bench-projects: setup
	psql "$(dir $(BENCH_PROJECTS_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_PROJECTS_PG))" -c "CREATE DATABASE $(notdir $(BENCH_PROJECTS_PG))"
	DATABASE_URL=$(BENCH_PROJECTS_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_PROJECTS_PG) $(FUPIN) bench projects --rows $(BENCH_DISBURSEMENTS)

# PostgreSQL at a third of the nation (issue 19): the generator's Parquet (BENCH_PGSCALE_FROM; made with `fupin demo
# --to parquet` when missing) imported province by province through the registry import service in parts of 250,000
# households, each against a bare COPY of the same rows; at each of BENCH_PGSCALE_MILESTONES (households) sizes, pages,
# indicators, exit evaluation and warning rules; plain against LIST-partitioned copies at BENCH_PGSCALE_PARTITIONING
# (empty: the largest milestone reached); BENCH_PGSCALE_MEASURE chooses among them (sizes always). On a fresh
# PostgreSQL database with the whole country's divisions. `fupin bench pgscale --existing --measure …` measures the
# registry already there, without importing.
BENCH_PGSCALE_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_pgscale
BENCH_PGSCALE_FROM ?= var/bench-pgscale/registry
BENCH_PGSCALE_MILESTONES ?= 1000000,3000000,10000000
BENCH_PGSCALE_PARTITIONING ?=
BENCH_PGSCALE_MEASURE ?= pages,indicators,exit,warnings,partitioning
BENCH_PGSCALE_STREAMS ?= 1
.PHONY: bench-pgscale
bench-pgscale: setup
	test -d $(BENCH_PGSCALE_FROM)/households || $(FUPIN) demo --province all --to parquet $(BENCH_PGSCALE_FROM) \
	  --households $$(echo $(BENCH_PGSCALE_MILESTONES) | tr , '\n' | sort -n | tail -1)
	psql "$(dir $(BENCH_PGSCALE_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_PGSCALE_PG))" -c "CREATE DATABASE $(notdir $(BENCH_PGSCALE_PG))"
	DATABASE_URL=$(BENCH_PGSCALE_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_PGSCALE_PG) $(FUPIN) load_regions --verbosity 0
	DATABASE_URL=$(BENCH_PGSCALE_PG) $(FUPIN) bench pgscale --from $(BENCH_PGSCALE_FROM) \
	  --milestones $(BENCH_PGSCALE_MILESTONES) --measure $(BENCH_PGSCALE_MEASURE) --streams $(BENCH_PGSCALE_STREAMS) \
	  $(if $(BENCH_PGSCALE_PARTITIONING),--partitioning $(BENCH_PGSCALE_PARTITIONING))

# The team and 网络扶智 (issue 16): an attendance upload of BENCH_TEAM_ROWS rows and the coverage lists of the whole
# country (every province's division tree, Yunnan's demo households and teams), on a fresh PostgreSQL database.
BENCH_TEAM_PG ?= postgres://postgres@127.0.0.1:5432/fupin_bench_team
BENCH_TEAM_ROWS ?= 2000000
.PHONY: bench-team
bench-team: setup
	psql "$(dir $(BENCH_TEAM_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_TEAM_PG))" -c "CREATE DATABASE $(notdir $(BENCH_TEAM_PG))"
	DATABASE_URL=$(BENCH_TEAM_PG) $(FUPIN) migrate --verbosity 0
	DATABASE_URL=$(BENCH_TEAM_PG) $(FUPIN) bench team --households 100000 --rows $(BENCH_TEAM_ROWS)

# National scale (issue 19): BENCH_NATIONAL_HOUSEHOLDS (a list) demo households over the whole country drawn to
# Parquet by the vectorised generator, the comparison on each of BENCH_NATIONAL_ENGINES with the hits compared.
# Files under var/bench-national/ are deleted after each size. PostgreSQL at size is `make bench-pgscale`.
BENCH_NATIONAL_HOUSEHOLDS ?= 1000000 30000000
BENCH_NATIONAL_ENGINES ?= duckdb,spark
.PHONY: bench-national spark-cluster-demo
bench-national: setup
	for n in $(BENCH_NATIONAL_HOUSEHOLDS); do $(FUPIN) bench national --households $$n --engines $(BENCH_NATIONAL_ENGINES) || exit 1; done

# A standalone Spark master and worker on loopback, one comparison submitted to it, then stopped (docs/scale.md).
spark-cluster-demo: setup
	tools/spark-cluster.sh demo
# Public portal (issue 17): the public pages under gunicorn on loopback, first request and cached latency, then a
# load generator for 15 s; over the current database (run `make db` first).
.PHONY: bench-portal
bench-portal: setup var/secret_key
	$(FUPIN) bench portal

# Reliability (issue 20 C2–C4): the access matrix (route × role × inside/outside), schemathesis fuzzing of every API
# operation as each role, importer fuzzing, and the fault tests. CI runs it in `make test` (marker `reliability`);
# FUZZ=N runs N random examples per operation and role instead of CI's few derandomized ones.
.PHONY: test-reliability bench-load bench-load-db
FUZZ ?=
test-reliability: setup
	$(if $(FUZZ),FUZZ_EXAMPLES=$(FUZZ) FUZZ_RANDOM=1) $(UV) run --frozen pytest -m reliability $(PYTEST_ARGS)

# Load (issue 20 C1, tools/load/): locust, headless on loopback, LOAD_USERS people arriving over LOAD_RAMP seconds and
# waiting 5–15 s between actions for LOAD_TIME seconds after the ramp, signed in already (sessions made beforehand, as on a working day; a
# separate small scenario, one person more, signs in at a realistic rate), against gunicorn (LOAD_WORKERS processes ×
# LOAD_THREADS threads: two processes a core, as the GIL lets one process use one core and its threads cover the
# waits for PostgreSQL), on the PostgreSQL database LOAD_PG made once by `make bench-load-db` (LOAD_HOUSEHOLDS demo households,
# about 1,000,000 persons, written by COPY). Prints p50/p95/p99 and errors per request kind and for the mix; the
# figures go to docs/benchmarks.md.
LOAD_PG ?= postgres://postgres@127.0.0.1:5432/fupin_load
LOAD_HOUSEHOLDS ?= 320000
LOAD_USERS ?= 200
LOAD_TIME ?= 300
LOAD_RAMP ?= 45
LOAD_HOST ?= 127.0.0.1:8104
LOAD_WORKERS ?= $(shell echo $$(( 2 * $$(nproc) )))
LOAD_THREADS ?= 4
bench-load-db: setup
	psql "$(dir $(LOAD_PG))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(LOAD_PG))" -c "CREATE DATABASE $(notdir $(LOAD_PG))"
	DATABASE_URL=$(LOAD_PG) $(UV) run --frozen python tools/load/make_db.py --households $(LOAD_HOUSEHOLDS)

bench-load: setup var/secret_key
	@uptime
	@rm -f var/bench-load-times.json var/bench-load_*.csv
	@DATABASE_URL=$(LOAD_PG) $(FUPIN) migrate --verbosity 0  # a database made by an older checkout gets new indexes
	@DATABASE_URL=$(LOAD_PG) $(UV) run --frozen python tools/load/sessions.py --users $(LOAD_USERS) --out var/bench-load-sessions.json
	@DATABASE_URL=$(LOAD_PG) FUPIN_CSRF_TRUSTED_ORIGINS=http://$(LOAD_HOST) $(UV) run --frozen gunicorn fupin.wsgi:application \
	  --bind $(LOAD_HOST) --workers $(LOAD_WORKERS) --threads $(LOAD_THREADS) --preload --backlog 1024 \
	  --graceful-timeout 10 --timeout 120 & server=$$!; \
	trap "kill $$server 2>/dev/null" EXIT INT TERM; \
	$(UV) run --frozen python tools/load/warm.py http://$(LOAD_HOST) || exit 1; \
	LOAD_SESSIONS=var/bench-load-sessions.json LOAD_TIMES=var/bench-load-times.json $(UV) run --frozen locust \
	  -f tools/load/locustfile.py --headless \
	  --host http://$(LOAD_HOST) -u $$(( $(LOAD_USERS) + 1 )) -r $$(python3 -c "print(max(1, round($(LOAD_USERS) / $(LOAD_RAMP), 1)))") \
	  -t $$(( $(LOAD_TIME) + $(LOAD_RAMP) ))s --only-summary --csv var/bench-load; status=$$?; \
	$(UV) run --frozen python tools/load/report.py var/bench-load-times.json --failures var/bench-load_failures.csv \
	  --ramp $(LOAD_RAMP) --seconds $$(( $(LOAD_TIME) + $(LOAD_RAMP) )); uptime; exit $$status
