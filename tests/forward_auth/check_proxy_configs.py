#!/usr/bin/env python3
"""Checks postured's forward-auth examples for the proxies that cannot run here.

Traefik and Envoy are not installable on the build machines, so their examples
(packaging/forward-auth/traefik.yml, envoy.yaml) are parsed as YAML and walked
against the field names of their real configuration schemas: Traefik's dynamic
configuration (traefik/traefik pkg/config/dynamic/http_config.go, middlewares.go,
and the forwardAuth reference page) and Envoy's v3 protos (envoyproxy/envoy
api/envoy/...: bootstrap, listener, cluster, endpoint, route, core address and
http_uri, type/matcher string, the HTTP connection manager, ext_authz and router
filters). An unknown key, a value of the wrong kind or an unknown @type fails,
as Traefik and Envoy would refuse them. The tables list the fields of each
message as read from those sources; when an example starts using another real
field, add it here from the same source.

Then every example (nginx and Caddy too, which the integration tests run for
real) must ask postured's /forward-auth and pass on all four identity headers,
and README.md must show each example verbatim.

  check_proxy_configs.py DIR          check the examples in DIR
  check_proxy_configs.py DIR --self-test
                                      break the examples in known ways and make
                                      sure every break is caught (so the check can fail)
"""

import copy
import pathlib
import re
import sys
import urllib.parse

import yaml

IDENTITY_HEADERS = ["X-Postured-Device", "X-Postured-Hostname", "X-Postured-User", "X-Postured-Tags"]


# --- a tiny schema language -------------------------------------------------


class Str:
    def check(self, value, path, errors):
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, got {type(value).__name__}")


class Bool:
    def check(self, value, path, errors):
        if not isinstance(value, bool):
            errors.append(f"{path}: expected true or false, got {value!r}")


class Int:
    def check(self, value, path, errors):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected an integer, got {value!r}")


class Duration:
    """google.protobuf.Duration in YAML: "0.25s", or {seconds, nanos}."""

    def check(self, value, path, errors):
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?s", value):
            return
        if isinstance(value, dict) and set(value) <= {"seconds", "nanos"}:
            return
        errors.append(f"{path}: expected a duration such as 0.5s, got {value!r}")


class Enum:
    def __init__(self, *names):
        self.names = names

    def check(self, value, path, errors):
        if value not in self.names:
            errors.append(f"{path}: {value!r} is not one of {', '.join(self.names)}")


class Opaque:
    """A real field whose contents this check does not model."""

    def check(self, value, path, errors):
        pass


class List:
    def __init__(self, item):
        self.item = item

    def check(self, value, path, errors):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, v in enumerate(value):
            resolve(self.item).check(v, f"{path}[{i}]", errors)


class Map:
    """A map from names the user chooses to values of one kind (Traefik's routers, ...)."""

    def __init__(self, item):
        self.item = item

    def check(self, value, path, errors):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping, got {type(value).__name__}")
            return
        for k, v in value.items():
            resolve(self.item).check(v, f"{path}.{k}", errors)


class Msg:
    """A message or struct: only these keys; `oneofs` are groups of which at most one may be set."""

    def __init__(self, name, fields, oneofs=(), required=()):
        self.name, self.fields, self.oneofs, self.required = name, fields, oneofs, required

    def check(self, value, path, errors):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a {self.name} mapping, got {type(value).__name__}")
            return
        for k, v in value.items():
            if k not in self.fields:
                errors.append(f"{path}: unknown field {k!r} of {self.name}")
                continue
            resolve(self.fields[k]).check(v, f"{path}.{k}", errors)
        for group in self.oneofs:
            set_ = [k for k in group if k in value]
            if len(set_) > 1:
                errors.append(f"{path}: only one of {', '.join(set_)} may be set in {self.name}")
        for k in self.required:
            if k not in value:
                errors.append(f"{path}: {self.name} needs {k!r}")


class Any:
    """google.protobuf.Any: "@type" names the message, the other keys are its fields."""

    def __init__(self, registry):
        self.registry = registry

    def check(self, value, path, errors):
        if not isinstance(value, dict) or "@type" not in value:
            errors.append(f"{path}: expected a typed_config with an @type")
            return
        type_url = value["@type"]
        prefix = "type.googleapis.com/"
        name = type_url[len(prefix):] if isinstance(type_url, str) and type_url.startswith(prefix) else None
        if name not in self.registry:
            errors.append(f"{path}: unknown @type {type_url!r}")
            return
        rest = {k: v for k, v in value.items() if k != "@type"}
        resolve(self.registry[name]).check(rest, path, errors)


def resolve(node):
    """Schema nodes may be given by name (a str) so messages can refer to each other."""
    return ENVOY[node] if isinstance(node, str) else node


# --- Traefik dynamic configuration -------------------------------------------
# traefik/traefik pkg/config/dynamic/http_config.go (HTTPConfiguration, Router,
# Service, ServersLoadBalancer, Server) and middlewares.go (Middleware,
# ForwardAuth, ClientTLS); docs/content/reference/routing-configuration/http/
# middlewares/forwardauth.md for the v3 forwardAuth fields.

TRAEFIK_CLIENT_TLS = Msg("ClientTLS", {
    "ca": Str(), "cert": Str(), "key": Str(), "insecureSkipVerify": Bool(), "caOptional": Bool(),
})

TRAEFIK_FORWARD_AUTH = Msg("ForwardAuth", {
    "address": Str(),
    "tls": TRAEFIK_CLIENT_TLS,
    "trustForwardHeader": Bool(),
    "authResponseHeaders": List(Str()),
    "authResponseHeadersRegex": Str(),
    "authRequestHeaders": List(Str()),
    "addAuthCookiesToResponse": List(Str()),
    "headerField": Str(),
    "forwardBody": Bool(),
    "maxBodySize": Int(),
    "preserveLocationHeader": Bool(),
    "preserveRequestMethod": Bool(),
}, required=("address",))

TRAEFIK_MIDDLEWARE = Msg("Middleware", {
    **{name: Opaque() for name in [
        "addPrefix", "stripPrefix", "stripPrefixRegex", "replacePath", "replacePathRegex", "chain",
        "ipWhiteList", "ipAllowList", "headers", "errors", "rateLimit", "redirectRegex", "redirectScheme",
        "basicAuth", "digestAuth", "inFlightReq", "buffering", "circuitBreaker", "compress",
        "passTLSClientCert", "retry", "contentType", "grpcWeb", "plugin"]},
    "forwardAuth": TRAEFIK_FORWARD_AUTH,
})

TRAEFIK_ROUTER = Msg("Router", {
    "entryPoints": List(Str()), "middlewares": List(Str()), "service": Str(), "rule": Str(),
    "ruleSyntax": Str(), "priority": Int(), "tls": Opaque(), "observability": Opaque(),
}, required=("rule", "service"))

TRAEFIK_SERVICE = Msg("Service", {
    "loadBalancer": Msg("ServersLoadBalancer", {
        "sticky": Opaque(),
        "servers": List(Msg("Server", {"url": Str(), "weight": Int(), "preservePath": Bool()}, required=("url",))),
        "healthCheck": Opaque(), "passHostHeader": Bool(), "responseForwarding": Opaque(),
        "serversTransport": Str(), "strategy": Str(),
    }),
    "weighted": Opaque(), "mirroring": Opaque(), "failover": Opaque(),
}, oneofs=(("loadBalancer", "weighted", "mirroring", "failover"),))

TRAEFIK_DYNAMIC = Msg("dynamic configuration", {
    "http": Msg("HTTPConfiguration", {
        "routers": Map(TRAEFIK_ROUTER),
        "services": Map(TRAEFIK_SERVICE),
        "middlewares": Map(TRAEFIK_MIDDLEWARE),
        "models": Opaque(),
        "serversTransports": Opaque(),
    }),
    "tcp": Opaque(), "udp": Opaque(), "tls": Opaque(),
})


# --- Envoy v3 ------------------------------------------------------------------
# Field names from envoyproxy/envoy api/envoy/: config/bootstrap/v3/bootstrap.proto,
# config/listener/v3/{listener,listener_components}.proto, config/cluster/v3/cluster.proto,
# config/endpoint/v3/{endpoint,endpoint_components}.proto, config/route/v3/
# {route,route_components}.proto, config/core/v3/{address,base,http_uri}.proto,
# type/matcher/v3/string.proto, extensions/filters/network/http_connection_manager/v3/
# http_connection_manager.proto, extensions/filters/http/ext_authz/v3/ext_authz.proto,
# extensions/filters/http/router/v3/router.proto.

HCM_TYPE = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
EXT_AUTHZ_TYPE = "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"
ROUTER_TYPE = "envoy.extensions.filters.http.router.v3.Router"

ENVOY = {
    "Bootstrap": Msg("Bootstrap", {
        "node": Opaque(), "node_context_params": List(Str()), "static_resources": "StaticResources",
        "dynamic_resources": Opaque(), "cluster_manager": Opaque(), "hds_config": Opaque(),
        "flags_path": Str(), "stats_sinks": Opaque(), "stats_config": Opaque(),
        "stats_flush_interval": Duration(), "stats_flush_on_admin": Bool(), "watchdog": Opaque(),
        "watchdogs": Opaque(), "tracing": Opaque(), "layered_runtime": Opaque(), "admin": Opaque(),
        "overload_manager": Opaque(), "enable_dispatcher_stats": Bool(), "header_prefix": Str(),
        "stats_server_version_override": Opaque(), "use_tcp_for_dns_lookups": Bool(),
        "bootstrap_extensions": Opaque(), "fatal_actions": Opaque(), "config_sources": Opaque(),
        "default_config_source": Opaque(), "default_socket_interface": Str(),
        "certificate_provider_instances": Opaque(),
    }),
    "StaticResources": Msg("Bootstrap.StaticResources", {
        "listeners": List("Listener"), "clusters": List("Cluster"), "secrets": Opaque(),
    }),
    "Listener": Msg("Listener", {
        "name": Str(), "address": "Address", "additional_addresses": Opaque(), "stat_prefix": Str(),
        "filter_chains": List("FilterChain"), "filter_chain_matcher": Opaque(), "use_original_dst": Bool(),
        "default_filter_chain": "FilterChain", "per_connection_buffer_limit_bytes": Int(), "metadata": Opaque(),
        "drain_type": Enum("DEFAULT", "MODIFY_ONLY"), "listener_filters": Opaque(),
        "listener_filters_timeout": Duration(), "continue_on_listener_filters_timeout": Bool(),
        "transparent": Bool(), "freebind": Bool(), "socket_options": Opaque(),
        "tcp_fast_open_queue_length": Int(), "traffic_direction": Enum("UNSPECIFIED", "INBOUND", "OUTBOUND"),
        "udp_listener_config": Opaque(), "api_listener": Opaque(), "connection_balance_config": Opaque(),
        "enable_reuse_port": Bool(), "access_log": Opaque(), "tcp_backlog_size": Int(), "bind_to_port": Bool(),
        "internal_listener": Opaque(), "enable_mptcp": Bool(), "ignore_global_conn_limit": Bool(),
    }, required=("address",)),
    "FilterChain": Msg("FilterChain", {
        "filter_chain_match": Opaque(), "filters": List("NetworkFilter"), "use_proxy_proto": Bool(),
        "metadata": Opaque(), "transport_socket": Opaque(), "transport_socket_connect_timeout": Duration(),
        "name": Str(),
    }),
    "NetworkFilter": Msg("listener.v3.Filter", {
        "name": Str(), "typed_config": Any({HCM_TYPE: "HttpConnectionManager"}), "config_discovery": Opaque(),
    }, oneofs=(("typed_config", "config_discovery"),), required=("name",)),
    "Address": Msg("core.v3.Address", {
        "socket_address": "SocketAddress", "pipe": Opaque(), "envoy_internal_address": Opaque(),
    }, oneofs=(("socket_address", "pipe", "envoy_internal_address"),)),
    "SocketAddress": Msg("core.v3.SocketAddress", {
        "protocol": Enum("TCP", "UDP"), "address": Str(), "port_value": Int(), "named_port": Str(),
        "resolver_name": Str(), "ipv4_compat": Bool(),
    }, oneofs=(("port_value", "named_port"),), required=("address",)),
    "HttpConnectionManager": Msg("HttpConnectionManager", {
        "codec_type": Enum("AUTO", "HTTP1", "HTTP2", "HTTP3"), "stat_prefix": Str(), "rds": Opaque(),
        "route_config": "RouteConfiguration", "scoped_routes": Opaque(), "http_filters": List("HttpFilter"),
        "add_user_agent": Bool(), "tracing": Opaque(), "common_http_protocol_options": Opaque(),
        "http1_safe_max_connection_duration": Bool(), "http_protocol_options": Opaque(),
        "http2_protocol_options": Opaque(), "http3_protocol_options": Opaque(), "server_name": Str(),
        "server_header_transformation": Enum("OVERWRITE", "APPEND_IF_ABSENT", "PASS_THROUGH"),
        "scheme_header_transformation": Opaque(), "max_request_headers_kb": Int(),
        "stream_idle_timeout": Duration(), "stream_flush_timeout": Duration(), "request_timeout": Duration(),
        "request_headers_timeout": Duration(), "drain_timeout": Duration(), "drain_timeout_jitter": Opaque(),
        "delayed_close_timeout": Duration(), "access_log": Opaque(), "access_log_flush_interval": Duration(),
        "flush_access_log_on_new_request": Bool(), "access_log_options": Opaque(),
        "use_remote_address": Bool(), "xff_num_trusted_hops": Int(),
        "original_ip_detection_extensions": Opaque(), "early_header_mutation_extensions": Opaque(),
        "internal_address_config": Opaque(), "skip_xff_append": Bool(), "via": Str(),
        "generate_request_id": Bool(), "preserve_external_request_id": Bool(),
        "always_set_request_id_in_response": Bool(), "forward_client_cert_details": Opaque(),
        "set_current_client_cert_details": Opaque(), "forward_client_cert_matcher": Opaque(),
        "proxy_100_continue": Bool(), "represent_ipv4_remote_address_as_ipv4_mapped_ipv6": Bool(),
        "upgrade_configs": Opaque(), "normalize_path": Bool(), "merge_slashes": Bool(),
        "path_with_escaped_slashes_action": Opaque(), "request_id_extension": Opaque(),
        "local_reply_config": Opaque(), "strip_matching_host_port": Bool(), "strip_any_host_port": Bool(),
        "stream_error_on_invalid_http_message": Bool(), "path_normalization_options": Opaque(),
        "strip_trailing_host_dot": Bool(), "proxy_status_config": Opaque(),
        "typed_header_validation_config": Opaque(), "append_x_forwarded_port": Bool(),
        "append_local_overload": Bool(), "add_proxy_protocol_connection_state": Bool(),
        "forward_proto_config": Opaque(),
    }, oneofs=(("rds", "route_config", "scoped_routes"),), required=("stat_prefix",)),
    "HttpFilter": Msg("HttpFilter", {
        "name": Str(), "typed_config": Any({EXT_AUTHZ_TYPE: "ExtAuthz", ROUTER_TYPE: "Router"}),
        "config_discovery": Opaque(), "is_optional": Bool(), "disabled": Bool(),
    }, oneofs=(("typed_config", "config_discovery"),), required=("name",)),
    "RouteConfiguration": Msg("RouteConfiguration", {
        "name": Str(), "virtual_hosts": List("VirtualHost"), "vhds": Opaque(),
        "internal_only_headers": List(Str()), "response_headers_to_add": Opaque(),
        "response_headers_to_remove": List(Str()), "request_headers_to_add": Opaque(),
        "request_headers_to_remove": List(Str()), "most_specific_header_mutations_wins": Bool(),
        "validate_clusters": Bool(), "max_direct_response_body_size_bytes": Int(),
        "cluster_specifier_plugins": Opaque(), "request_mirror_policies": Opaque(),
        "ignore_port_in_host_matching": Bool(), "ignore_path_parameters_in_path_matching": Bool(),
        "typed_per_filter_config": Opaque(), "metadata": Opaque(),
    }),
    "VirtualHost": Msg("VirtualHost", {
        "name": Str(), "domains": List(Str()), "routes": List("Route"), "matcher": Opaque(),
        "require_tls": Enum("NONE", "EXTERNAL_ONLY", "ALL"), "virtual_clusters": Opaque(),
        "rate_limits": Opaque(), "request_headers_to_add": Opaque(), "request_headers_to_remove": List(Str()),
        "response_headers_to_add": Opaque(), "response_headers_to_remove": List(Str()), "cors": Opaque(),
        "typed_per_filter_config": Opaque(), "include_request_attempt_count": Bool(),
        "include_attempt_count_in_response": Bool(), "retry_policy": Opaque(), "hedge_policy": Opaque(),
        "per_request_buffer_limit_bytes": Int(), "request_mirror_policies": Opaque(), "metadata": Opaque(),
    }, required=("name", "domains")),
    "Route": Msg("Route", {
        "name": Str(), "match": "RouteMatch", "route": "RouteAction", "redirect": Opaque(),
        "direct_response": Opaque(), "filter_action": Opaque(), "non_forwarding_action": Opaque(),
        "metadata": Opaque(), "decorator": Opaque(), "typed_per_filter_config": Opaque(),
        "request_headers_to_add": Opaque(), "request_headers_to_remove": List(Str()),
        "response_headers_to_add": Opaque(), "response_headers_to_remove": List(Str()), "tracing": Opaque(),
        "per_request_buffer_limit_bytes": Int(), "stat_prefix": Str(),
    }, oneofs=(("route", "redirect", "direct_response", "filter_action", "non_forwarding_action"),),
        required=("match",)),
    "RouteMatch": Msg("RouteMatch", {
        "prefix": Str(), "path": Str(), "safe_regex": Opaque(), "connect_matcher": Opaque(),
        "path_separated_prefix": Str(), "path_match_policy": Opaque(), "case_sensitive": Bool(),
        "runtime_fraction": Opaque(), "headers": Opaque(), "query_parameters": Opaque(), "grpc": Opaque(),
        "tls_context": Opaque(), "dynamic_metadata": Opaque(),
    }, oneofs=(("prefix", "path", "safe_regex", "connect_matcher", "path_separated_prefix", "path_match_policy"),)),
    "RouteAction": Msg("RouteAction", {
        "cluster": Str(), "cluster_header": Str(), "weighted_clusters": Opaque(),
        "cluster_specifier_plugin": Str(), "inline_cluster_specifier_plugin": Opaque(),
        "cluster_not_found_response_code": Opaque(), "metadata_match": Opaque(), "prefix_rewrite": Str(),
        "path_rewrite_policy": Opaque(), "regex_rewrite": Opaque(), "host_rewrite_literal": Str(),
        "auto_host_rewrite": Bool(), "host_rewrite_header": Str(), "host_rewrite_path_regex": Opaque(),
        "append_x_forwarded_host": Bool(), "timeout": Duration(), "idle_timeout": Duration(),
        "early_data_policy": Opaque(), "retry_policy": Opaque(), "request_mirror_policies": Opaque(),
        "priority": Opaque(), "rate_limits": Opaque(), "include_vh_rate_limits": Bool(),
        "hash_policy": Opaque(), "cors": Opaque(), "max_grpc_timeout": Duration(),
        "grpc_timeout_offset": Duration(), "upgrade_configs": Opaque(), "internal_redirect_policy": Opaque(),
        "max_internal_redirects": Int(), "hedge_policy": Opaque(), "max_stream_duration": Opaque(),
    }, oneofs=(("cluster", "cluster_header", "weighted_clusters", "cluster_specifier_plugin",
                "inline_cluster_specifier_plugin"),)),
    "Cluster": Msg("Cluster", {
        "name": Str(), "alt_stat_name": Str(),
        "type": Enum("STATIC", "STRICT_DNS", "LOGICAL_DNS", "EDS", "ORIGINAL_DST"), "cluster_type": Opaque(),
        "eds_cluster_config": Opaque(), "connect_timeout": Duration(), "per_connection_buffer_limit_bytes": Int(),
        "lb_policy": Enum("ROUND_ROBIN", "LEAST_REQUEST", "RING_HASH", "RANDOM", "MAGLEV", "CLUSTER_PROVIDED",
                          "LOAD_BALANCING_POLICY_CONFIG"),
        "load_assignment": "ClusterLoadAssignment", "health_checks": Opaque(),
        "max_requests_per_connection": Int(), "circuit_breakers": Opaque(),
        "upstream_http_protocol_options": Opaque(), "common_http_protocol_options": Opaque(),
        "http_protocol_options": Opaque(), "http2_protocol_options": Opaque(),
        "typed_extension_protocol_options": Opaque(), "dns_refresh_rate": Duration(),
        "dns_failure_refresh_rate": Opaque(), "respect_dns_ttl": Bool(),
        "dns_lookup_family": Enum("AUTO", "V4_ONLY", "V6_ONLY", "V4_PREFERRED", "ALL"), "dns_resolvers": Opaque(),
        "use_tcp_for_dns_lookups": Bool(), "dns_resolution_config": Opaque(), "typed_dns_resolver_config": Opaque(),
        "wait_for_warm_on_init": Bool(), "outlier_detection": Opaque(), "cleanup_interval": Duration(),
        "upstream_bind_config": Opaque(), "lb_subset_config": Opaque(), "ring_hash_lb_config": Opaque(),
        "maglev_lb_config": Opaque(), "original_dst_lb_config": Opaque(), "least_request_lb_config": Opaque(),
        "round_robin_lb_config": Opaque(), "common_lb_config": Opaque(), "transport_socket": Opaque(),
        "metadata": Opaque(), "protocol_selection": Opaque(), "upstream_connection_options": Opaque(),
        "close_connections_on_host_health_failure": Bool(), "ignore_health_on_host_removal": Bool(),
        "filters": Opaque(), "load_balancing_policy": Opaque(), "lrs_server": Opaque(),
        "track_timeout_budgets": Bool(), "upstream_config": Opaque(), "track_cluster_stats": Opaque(),
        "preconnect_policy": Opaque(), "connection_pool_per_downstream_connection": Bool(),
    }, oneofs=(("type", "cluster_type"),), required=("name",)),
    "ClusterLoadAssignment": Msg("ClusterLoadAssignment", {
        "cluster_name": Str(), "endpoints": List("LocalityLbEndpoints"), "named_endpoints": Opaque(),
        "policy": Opaque(),
    }, required=("cluster_name",)),
    "LocalityLbEndpoints": Msg("LocalityLbEndpoints", {
        "locality": Opaque(), "metadata": Opaque(), "lb_endpoints": List("LbEndpoint"),
        "load_balancer_endpoints": Opaque(), "leds_cluster_locality_config": Opaque(),
        "load_balancing_weight": Int(), "priority": Int(), "proximity": Int(),
    }),
    "LbEndpoint": Msg("LbEndpoint", {
        "endpoint": "Endpoint", "endpoint_name": Str(), "health_status": Opaque(), "metadata": Opaque(),
        "load_balancing_weight": Int(),
    }, oneofs=(("endpoint", "endpoint_name"),)),
    "Endpoint": Msg("Endpoint", {
        "address": "Address", "health_check_config": Opaque(), "hostname": Str(), "additional_addresses": Opaque(),
    }),
    # extensions/filters/http/ext_authz/v3/ext_authz.proto
    "ExtAuthz": Msg("ExtAuthz", {
        "grpc_service": Opaque(), "http_service": "HttpService",
        "transport_api_version": Enum("AUTO", "V2", "V3"), "failure_mode_allow": Bool(),
        "with_request_body": Msg("BufferSettings", {
            "max_request_bytes": Int(), "allow_partial_message": Bool(), "pack_as_bytes": Bool()}),
        "clear_route_cache": Bool(), "status_on_error": Msg("type.v3.HttpStatus", {"code": Opaque()}),
        "metadata_context_namespaces": List(Str()), "typed_metadata_context_namespaces": List(Str()),
        "filter_enabled": Opaque(), "filter_enabled_metadata": Opaque(), "deny_at_disable": Opaque(),
        "include_peer_certificate": Bool(), "stat_prefix": Str(), "bootstrap_metadata_labels_key": Str(),
        "allowed_headers": "ListStringMatcher", "include_tls_session": Bool(),
    }, oneofs=(("grpc_service", "http_service"),)),
    "HttpService": Msg("HttpService", {
        "server_uri": "HttpUri", "path_prefix": Str(),
        "authorization_request": Msg("AuthorizationRequest", {
            "allowed_headers": "ListStringMatcher", "headers_to_add": List(Msg("core.v3.HeaderValue", {
                "key": Str(), "value": Str()}, required=("key",)))}),
        "authorization_response": Msg("AuthorizationResponse", {
            "allowed_upstream_headers": "ListStringMatcher",
            "allowed_upstream_headers_to_append": "ListStringMatcher",
            "allowed_client_headers": "ListStringMatcher",
            "allowed_client_headers_on_success": "ListStringMatcher",
            "dynamic_metadata_from_headers": "ListStringMatcher"}),
    }, required=("server_uri",)),
    "HttpUri": Msg("core.v3.HttpUri", {"uri": Str(), "cluster": Str(), "timeout": Duration()},
                   required=("uri", "cluster", "timeout")),
    "ListStringMatcher": Msg("type.matcher.v3.ListStringMatcher", {"patterns": List("StringMatcher")},
                             required=("patterns",)),
    "StringMatcher": Msg("type.matcher.v3.StringMatcher", {
        "exact": Str(), "prefix": Str(), "suffix": Str(), "safe_regex": Opaque(), "contains": Str(),
        "ignore_case": Bool(),
    }, oneofs=(("exact", "prefix", "suffix", "safe_regex", "contains"),)),
    # extensions/filters/http/router/v3/router.proto
    "Router": Msg("Router", {
        "dynamic_stats": Bool(), "start_child_span": Bool(), "upstream_log": Opaque(),
        "upstream_log_options": Opaque(), "suppress_envoy_headers": Bool(), "strict_check_headers": List(Str()),
        "respect_expected_rq_timeout": Bool(), "suppress_grpc_request_failure_code_stats": Bool(),
        "upstream_http_filters": Opaque(),
    }),
}


# --- what the examples must say ------------------------------------------------


def lower_set(names):
    return {n.lower() for n in names}


def check_forward_auth_target(path_and_query, where, errors, path_form=False):
    """A URL path (and query) that asks postured: /forward-auth?dst=... or the path form."""
    if path_form:
        if not re.fullmatch(r"/forward-auth/(dst/[^/?]+:[^/?]+|posture/posture:[^/?]+)", path_and_query):
            errors.append(f"{where}: {path_and_query!r} is not /forward-auth/dst/DEST:PORT "
                          "or /forward-auth/posture/posture:NAME")
        return
    url = urllib.parse.urlsplit(path_and_query)
    if url.path != "/forward-auth":
        errors.append(f"{where}: asks {url.path!r}, not postured's /forward-auth")
    params = urllib.parse.parse_qs(url.query)
    if not set(params) & {"dst", "posture"} or set(params) - {"dst", "posture"}:
        errors.append(f"{where}: the query must give dst= and/or posture=, got {url.query!r}")
    for k, values in params.items():
        if len(values) > 1:
            errors.append(f"{where}: {k} given {len(values)} times (postured answers 400)")
    if "posture" in params and not params["posture"][0].startswith("posture:"):
        errors.append(f"{where}: posture= must name posture:NAME")


def check_traefik(config, errors):
    TRAEFIK_DYNAMIC.check(config, "traefik.yml", errors)
    http = config.get("http", {}) if isinstance(config, dict) else {}
    middlewares = http.get("middlewares") or {}
    services = http.get("services") or {}
    for name, router in (http.get("routers") or {}).items():
        if not isinstance(router, dict):
            continue
        for m in router.get("middlewares", []):
            if m not in middlewares:
                errors.append(f"traefik.yml: router {name} uses middleware {m!r}, which is not defined")
        if router.get("service") not in services:
            errors.append(f"traefik.yml: router {name} uses service {router.get('service')!r}, which is not defined")
    forward_auths = [(n, m["forwardAuth"]) for n, m in middlewares.items()
                     if isinstance(m, dict) and isinstance(m.get("forwardAuth"), dict)]
    if not forward_auths:
        errors.append("traefik.yml: no forwardAuth middleware")
    for name, fa in forward_auths:
        where = f"traefik.yml: middleware {name}"
        address = fa.get("address", "")
        if isinstance(address, str):
            url = urllib.parse.urlsplit(address)
            if url.scheme not in ("http", "https") or not url.netloc:
                errors.append(f"{where}: address {address!r} is not an http(s) URL")
            check_forward_auth_target(url.path + ("?" + url.query if url.query else ""), where, errors)
        if "trustForwardHeader" not in fa:
            errors.append(f"{where}: say trustForwardHeader explicitly (who decides the client address)")
        missing = lower_set(IDENTITY_HEADERS) - lower_set(fa.get("authResponseHeaders") or [])
        if missing:
            errors.append(f"{where}: authResponseHeaders lacks {sorted(missing)}")


def exact_patterns(matcher):
    if not isinstance(matcher, dict):
        return set()
    return {p["exact"].lower() for p in matcher.get("patterns", []) if isinstance(p, dict) and "exact" in p}


def check_envoy(config, errors):
    ENVOY["Bootstrap"].check(config, "envoy.yaml", errors)
    static = (config or {}).get("static_resources", {}) if isinstance(config, dict) else {}
    clusters = {c.get("name") for c in static.get("clusters", []) if isinstance(c, dict)}
    ext_authz_seen = 0
    for li, listener in enumerate(static.get("listeners", [])):
        for chain in (listener or {}).get("filter_chains", []):
            for f in (chain or {}).get("filters", []):
                hcm = (f or {}).get("typed_config", {})
                if not isinstance(hcm, dict) or hcm.get("@type") != "type.googleapis.com/" + HCM_TYPE:
                    continue
                where = f"envoy.yaml: listener {listener.get('name', li)}"
                for vh in (hcm.get("route_config") or {}).get("virtual_hosts", []):
                    for r in (vh or {}).get("routes", []):
                        cluster = ((r or {}).get("route") or {}).get("cluster")
                        if cluster is not None and cluster not in clusters:
                            errors.append(f"{where}: route to cluster {cluster!r}, which is not defined")
                filters = hcm.get("http_filters", [])
                types = [((h or {}).get("typed_config") or {}).get("@type", "") for h in filters]
                if not types or types[-1] != "type.googleapis.com/" + ROUTER_TYPE:
                    errors.append(f"{where}: the router filter must come last in http_filters")
                for h in filters:
                    authz = (h or {}).get("typed_config") or {}
                    if authz.get("@type") != "type.googleapis.com/" + EXT_AUTHZ_TYPE:
                        continue
                    ext_authz_seen += 1
                    if authz.get("failure_mode_allow") is not False:
                        errors.append(f"{where}: ext_authz must say failure_mode_allow: false (fail closed)")
                    service = authz.get("http_service")
                    if not isinstance(service, dict):
                        errors.append(f"{where}: ext_authz must use http_service (postured speaks HTTP)")
                        continue
                    check_forward_auth_target(service.get("path_prefix", ""), f"{where}: path_prefix", errors,
                                              path_form=True)
                    uri = service.get("server_uri") or {}
                    if uri.get("cluster") not in clusters:
                        errors.append(f"{where}: server_uri.cluster {uri.get('cluster')!r} is not defined")
                    upstream = exact_patterns((service.get("authorization_response") or {})
                                              .get("allowed_upstream_headers"))
                    missing = lower_set(IDENTITY_HEADERS) - upstream
                    if missing:
                        errors.append(f"{where}: allowed_upstream_headers lacks {sorted(missing)}")
                    sent = exact_patterns(authz.get("allowed_headers")) | exact_patterns(
                        (service.get("authorization_request") or {}).get("allowed_headers"))
                    if "x-forwarded-for" not in sent:
                        errors.append(f"{where}: ext_authz does not send x-forwarded-for to postured "
                                      "(the HTTP service sends no client headers unless allowed)")
    if not ext_authz_seen:
        errors.append("envoy.yaml: no envoy.filters.http.ext_authz filter")


def check_text_example(name, text, errors, must_contain=()):
    if "/forward-auth" not in text:
        errors.append(f"{name}: does not ask postured's /forward-auth")
    for header in IDENTITY_HEADERS:
        if header.lower() not in text.lower():
            errors.append(f"{name}: does not pass on {header}")
    for needle in must_contain:
        if needle not in text:
            errors.append(f"{name}: lacks {needle!r}")


def load_yaml(path, errors):
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        errors.append(f"{path.name}: not valid YAML: {e}")
        return None


def check_all(texts):
    """texts: file name -> contents. Returns the list of errors."""
    errors = []
    check_text_example("nginx.conf", texts["nginx.conf"], errors, [
        "auth_request ", "proxy_pass_request_body off;", 'proxy_set_header Content-Length "";',
        "$proxy_add_x_forwarded_for", "$upstream_http_x_postured_reason"])
    check_text_example("Caddyfile", texts["Caddyfile"], errors, ["forward_auth ", "copy_headers "])
    for name, checker in (("traefik.yml", check_traefik), ("envoy.yaml", check_envoy)):
        check_text_example(name, texts[name], errors)
        try:
            config = yaml.safe_load(texts[name])
        except yaml.YAMLError as e:
            errors.append(f"{name}: not valid YAML: {e}")
            continue
        checker(config, errors)
    readme = texts["README.md"]
    for name in ("nginx.conf", "Caddyfile", "traefik.yml", "envoy.yaml"):
        if texts[name].strip() not in readme:
            errors.append(f"README.md: does not show {name} as it is in packaging/forward-auth")
    return errors


FILES = ("nginx.conf", "Caddyfile", "traefik.yml", "envoy.yaml")


def self_test(texts):
    """Each break must be caught; the examples as they are must pass."""

    def yaml_break(name, mutate):
        def apply(t):
            config = copy.deepcopy(yaml.safe_load(t[name]))
            mutate(config)
            return {**t, name: yaml.safe_dump(config, sort_keys=False)}
        return apply

    def fa(c):
        return c["http"]["middlewares"]["postured-wiki"]["forwardAuth"]

    def authz(c):
        hcm = c["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
        return hcm["http_filters"][0]["typed_config"]

    # Each break, and the words of the error that must catch it (the README check also
    # fires for every break, since the example no longer matches it, so look for the right error).
    breaks = {
        "traefik: misspelt forwardAuth field": (yaml_break("traefik.yml", lambda c: fa(c).update(
            authResponseHeader=fa(c).pop("authResponseHeaders"))), "unknown field 'authResponseHeader'"),
        "traefik: unknown router field": (yaml_break("traefik.yml", lambda c: c["http"]["routers"]["wiki"].update(
            middleware=["postured-wiki"])), "unknown field 'middleware' of Router"),
        "traefik: trustForwardHeader not a bool": (yaml_break("traefik.yml", lambda c: fa(c).update(
            trustForwardHeader="yes")), "trustForwardHeader: expected true or false"),
        "traefik: a header not passed on": (yaml_break("traefik.yml", lambda c: fa(
            c)["authResponseHeaders"].remove("X-Postured-Tags")), "authResponseHeaders lacks ['x-postured-tags']"),
        "traefik: address not postured's": (yaml_break("traefik.yml", lambda c: fa(c).update(
            address="http://127.0.0.1:8080/auth?dst=tag:wiki:443")), "not postured's /forward-auth"),
        "traefik: undefined middleware": (yaml_break("traefik.yml", lambda c: c["http"]["routers"]["wiki"].update(
            middlewares=["nope"])), "middleware 'nope', which is not defined"),
        "envoy: misspelt http_service field": (yaml_break("envoy.yaml", lambda c: authz(c)["http_service"].update(
            pathPrefix=authz(c)["http_service"].pop("path_prefix"))), "unknown field 'pathPrefix' of HttpService"),
        "envoy: unknown ExtAuthz field": (yaml_break("envoy.yaml", lambda c: authz(c).update(fail_open=False)),
                                          "unknown field 'fail_open' of ExtAuthz"),
        "envoy: unknown @type": (yaml_break("envoy.yaml", lambda c: authz(c).update(
            {"@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v2.ExtAuthz"})), "unknown @type"),
        "envoy: fails open": (yaml_break("envoy.yaml", lambda c: authz(c).update(failure_mode_allow=True)),
                              "failure_mode_allow: false"),
        "envoy: a header not passed on": (yaml_break("envoy.yaml", lambda c: authz(c)["http_service"][
            "authorization_response"]["allowed_upstream_headers"]["patterns"].pop()),
            "allowed_upstream_headers lacks ['x-postured-tags']"),
        "envoy: unknown field deep in a cluster": (yaml_break("envoy.yaml", lambda c: c["static_resources"][
            "clusters"][0]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"][
            "socket_address"].update(port=8080)), "unknown field 'port' of core.v3.SocketAddress"),
        "envoy: two matchers in one StringMatcher": (yaml_break("envoy.yaml", lambda c: authz(c)[
            "allowed_headers"]["patterns"][0].update(prefix="x-")), "only one of exact, prefix"),
        "envoy: duration without unit": (yaml_break("envoy.yaml", lambda c: authz(c)["http_service"][
            "server_uri"].update(timeout=0.5)), "expected a duration"),
        "envoy: path form without a destination": (yaml_break("envoy.yaml", lambda c: authz(c)[
            "http_service"].update(path_prefix="/forward-auth")), "is not /forward-auth/dst/DEST:PORT"),
        "envoy: XFF not sent to postured": (yaml_break("envoy.yaml", lambda c: authz(c).pop("allowed_headers")),
                                            "does not send x-forwarded-for"),
        "envoy: router filter not last": (yaml_break("envoy.yaml", lambda c: c["static_resources"]["listeners"][0][
            "filter_chains"][0]["filters"][0]["typed_config"]["http_filters"].reverse()), "must come last"),
        "nginx: a header not passed on": (lambda t: {**t, "nginx.conf": t["nginx.conf"].replace(
            "X-Postured-Tags", "X-Tags").replace("x_postured_tags", "x_tags")},
            "nginx.conf: does not pass on X-Postured-Tags"),
        "caddy: not asking postured": (lambda t: {**t, "Caddyfile": t["Caddyfile"].replace(
            "/forward-auth", "/auth")}, "Caddyfile: does not ask postured's /forward-auth"),
        "readme: out of date": (lambda t: {**t, "README.md": t["README.md"].replace(
            "trustForwardHeader: false", "trustForwardHeader: true")}, "does not show traefik.yml"),
    }
    failures = []
    base = check_all(texts)
    if base:
        failures.append("the examples as they are fail:\n  " + "\n  ".join(base))
    for name, (apply, expected) in breaks.items():
        errors = check_all(apply(texts))
        caught = [e for e in errors if expected in e]
        if not caught:
            failures.append(f"not caught: {name} (wanted an error with {expected!r}, got {errors})")
        else:
            print(f"caught: {name}: {caught[0]}")
    return failures


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = pathlib.Path(argv[1])
    texts = {name: (directory / name).read_text() for name in FILES}
    texts["README.md"] = (directory.parent.parent / "README.md").read_text()  # the project's README
    problems = self_test(texts) if "--self-test" in argv[2:] else check_all(texts)
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("forward-auth examples: ok" + (" (every break caught)" if "--self-test" in argv[2:] else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
