# A sample with every kind of instruction the history shows
FROM busybox:local AS build
RUN mkdir -p /out && head -c 500000 /dev/urandom > /out/built.bin

FROM busybox:local
ARG VERSION=1.0
LABEL org.example.version=$VERSION
ENV APP_HOME=/app \
    MODE=prod
WORKDIR /app
COPY app.txt ./
ADD data.bin /app/data.bin
COPY --from=build /out/built.bin /app/built.bin
RUN head -c 200000 /dev/urandom > /app/run.bin && \
    echo done
USER nobody
EXPOSE 8080
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/app.txt"]
