FROM busybox:local AS base
RUN echo base > /base.txt

FROM base
MAINTAINER someone
ARG NODEFAULT
ARG WITHDEFAULT=x
SHELL ["/bin/sh", "-c"]
RUN ["/bin/sh", "-c", "echo exec > /exec.txt"]
VOLUME /data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s CMD true
ONBUILD RUN echo hi
RUN echo "$WITHDEFAULT" > /arg.txt
ENV A=1
ENV B 2
