#!/usr/bin/env bash
# Pre-downloads every test server from Maven Central, so the first test that needs one does not spend its time
# budget on downloads. Safe to run every time: a provisioned cache is a no-op (no Maven, no network).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
provision s3proxy
provision s3mock
provision opensearch
log "test servers ready in $CACHE_ROOT"
