/*
 * spis-probe: a small client built on lib/rpc for the shell tests.
 *
 *   spis-probe [--tls-ca F] [--tls-cert F --tls-key F] [--deadline MS]
 *              ADDR health [SERVICE]     prints SERVING and exits 0
 *   spis-probe ... ADDR version          prints the version fields
 *
 * A failed call prints "STATUS_NAME: message" and exits 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "spis/v1/system.pb-c.h"

#include "rpc.h"

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"tls-ca", required_argument, NULL, 'a'},
		{"tls-cert", required_argument, NULL, 'c'},
		{"tls-key", required_argument, NULL, 'k'},
		{"server-name", required_argument, NULL, 'n'},
		{"deadline", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	struct rpc_client_opts co = {0};
	struct rpc_client *cl;
	ProtobufCMessage *resp = NULL;
	grpc_status_code st;
	long deadline = 2000;
	char err[256], msg[512];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': co.tls_ca_pem = rpc_read_file(optarg); break;
		case 'c': co.tls_cert_pem = rpc_read_file(optarg); break;
		case 'k': co.tls_key_pem = rpc_read_file(optarg); break;
		case 'n': co.tls_server_name = optarg; break;
		case 'd': deadline = atol(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: spis-probe [opts] ADDR health|version\n");
		return 2;
	}
	grpc_init();
	co.target = argv[optind];
	if ((cl = rpc_client_new(&co, err, sizeof err)) == NULL) {
		fprintf(stderr, "spis-probe: %s\n", err);
		return 2;
	}
	if (strcmp(argv[optind + 1], "health") == 0) {
		Grpc__Health__V1__HealthCheckRequest req =
		    GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;

		if (argc - optind > 2)
			req.service = argv[optind + 2];
		st = rpc_call(cl, &grpc__health__v1__health__descriptor, 0,
		    &req.base, &resp, deadline, NULL, msg, sizeof msg);
		if (st == GRPC_STATUS_OK) {
			Grpc__Health__V1__HealthCheckResponse *r = (void *)resp;

			puts(r->status == 1 ? "SERVING" : "NOT_SERVING");
			rc = r->status == 1 ? 0 : 1;
		}
	} else if (strcmp(argv[optind + 1], "version") == 0) {
		Spis__V1__GetVersionRequest req =
		    SPIS__V1__GET_VERSION_REQUEST__INIT;

		st = rpc_call(cl, &spis__v1__system__descriptor, 0, &req.base,
		    &resp, deadline, NULL, msg, sizeof msg);
		if (st == GRPC_STATUS_OK) {
			Spis__V1__VersionInfo *v = (void *)resp;

			printf("version=%s\ngrpc=%s\nsqlite=%s\nschema=%d\n"
			    "started_at=%s\ncountry=%s\n", v->version,
			    v->grpc_version, v->sqlite_version,
			    v->schema_version, v->started_at, v->country);
			rc = 0;
		}
	} else {
		fprintf(stderr, "spis-probe: unknown command %s\n",
		    argv[optind + 1]);
		return 2;
	}
	if (st != GRPC_STATUS_OK)
		printf("%s: %s\n", rpc_status_name(st), msg);
	if (resp != NULL)
		protobuf_c_message_free_unpacked(resp, NULL);
	rpc_client_free(cl);
	grpc_shutdown();
	free((char *)co.tls_ca_pem);
	free((char *)co.tls_cert_pem);
	free((char *)co.tls_key_pem);
	return rc;
}
