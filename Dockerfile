# authmock as a container: a builder stage compiles the release binary, the runtime stage is a
# minimal non-root image holding the binary only (the fixtures and the Gherkin suite are built in).
#
#   docker build -t authmock .
#   docker run --rm -e AUTHMOCK_ADMIN_TOKEN=change-me -p 4010:4010 -p 4011:4011 authmock
#
# Inside the container authmock binds 0.0.0.0, which it refuses to do without an admin token:
# set AUTHMOCK_ADMIN_TOKEN (clients send it as `Authorization: Bearer …` on /__authmock__/
# paths; the provider endpoints and /__authmock__/health never need it). Publish the ports on
# the same numbers: the tenant advertises http://127.0.0.1:4010 as its issuer and base URL.

FROM rust:1-slim-bookworm AS builder
WORKDIR /src
# Dependencies first, so a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
RUN mkdir -p src bench/probe && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs bench/core.rs bench/probe/main.rs \
    && cargo fetch --locked
COPY src src
COPY features features
COPY fixtures fixtures
COPY docs/schemas docs/schemas
RUN cargo build --release --locked --bin authmock \
    && install -D -m 0755 target/release/authmock /out/authmock

# distroless/cc: glibc and libgcc only, no shell, runs as uid 65532 ("nonroot").
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/authmock /usr/local/bin/authmock
ENV AUTHMOCK_BIND=0.0.0.0 \
    AUTHMOCK_PORT=4010 \
    AUTHMOCK_JANRAIN_PORT=4011
EXPOSE 4010 4011
USER nonroot
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/authmock", "healthcheck", "--url", "http://127.0.0.1:4010"]
ENTRYPOINT ["/usr/local/bin/authmock"]
CMD ["serve"]
