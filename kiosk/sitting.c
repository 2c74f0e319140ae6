/*
 * sitting.c: the volunteer's session and the citizen's sitting.  Both
 * tokens live only here, in memory, are sent as metadata with every call
 * ("authorization: Bearer" for the volunteer, "x-spis-citizen" for the
 * citizen) and are zeroed when the sitting or the session ends for any
 * reason.  Replies that carried the citizen's data are zeroed before they
 * are freed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rpc.h"
#include "spis/v1/auth.pb-c.h"
#include "spis/v1/citizen.pb-c.h"

#include "i18n.h"
#include "kiosk.h"

/*
 * Zeroes a whole struct.  Out of line because GCC, with the sanitizers,
 * takes explicit_bzero(&k->cit, sizeof k->cit) for a write into the
 * struct's first member and refuses to build (-Wstringop-overflow).
 */
static void __attribute__((noinline))
kiosk_zero(void *p, size_t n)
{
	explicit_bzero(p, n);
}

void
kiosk_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

void
kiosk_request_id(char *buf, size_t len)
{
	unsigned char r[16];
	size_t off = 0;

	/* getrandom() only fails for a tiny request before the pool is up,
	 * which a kiosk long past boot never meets; the id then stays
	 * unique enough with the time mixed in. */
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(r, &ts, sizeof ts < sizeof r ? sizeof ts : sizeof r);
	}
	for (size_t i = 0; i < sizeof r && off + 3 <= len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%02x", r[i]);
}

/* Zeroes the strings and bytes of one message and of those it holds. */
static void
kiosk_msg_zero(ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char *base = (char *)m + f->offset;
		size_t n = 1;
		void *items = base;

		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF &&
		    *(uint32_t *)((char *)m + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(size_t *)((char *)m + f->quantifier_offset);
			items = *(void **)base;
			if (items == NULL)
				continue;
		}
		for (size_t j = 0; j < n; j++) {
			switch (f->type) {
			case PROTOBUF_C_TYPE_STRING: {
				char *s = ((char **)items)[j];

				/* The empty default is static and has no
				 * byte to zero. */
				if (s != NULL)
					explicit_bzero(s, strlen(s));
				break;
			}
			case PROTOBUF_C_TYPE_BYTES: {
				ProtobufCBinaryData *b =
				    &((ProtobufCBinaryData *)items)[j];

				if (b->data != NULL)
					explicit_bzero(b->data, b->len);
				break;
			}
			case PROTOBUF_C_TYPE_MESSAGE: {
				ProtobufCMessage *sub =
				    ((ProtobufCMessage **)items)[j];

				if (sub != NULL)
					kiosk_msg_zero(sub);
				break;
			}
			default:
				break;
			}
		}
	}
}

void
kiosk_msg_free(ProtobufCMessage *m)
{
	if (m == NULL)
		return;
	kiosk_msg_zero(m);
	protobuf_c_message_free_unpacked(m, NULL);
}

/* The sitting is over at the daemon already: forget it here and go back
 * to the start with a notice. */
static void
kiosk_citizen_lost(struct kiosk *k)
{
	kiosk_zero(&k->cit, sizeof k->cit);
	if (!k->vol.active)
		i18n_set_language(k->language);
	tui_reset(k->tui);
	k->notice = N_("The session has ended. To carry on, please start "
	    "again.");
}

grpc_status_code
kiosk_call(struct kiosk *k, const ProtobufCServiceDescriptor *svc,
    unsigned index, const ProtobufCMessage *req, ProtobufCMessage **resp,
    long deadline_ms, char *msg, size_t msglen)
{
	char bearer[sizeof "Bearer " + KIOSK_TOKEN_MAX];
	const char *md[5];
	grpc_status_code st;
	int n = 0, citizen = k->cit.active;

	*resp = NULL;
	if (k->vol.active) {
		snprintf(bearer, sizeof bearer, "Bearer %s", k->vol.token);
		md[n++] = "authorization";
		md[n++] = bearer;
	}
	if (citizen) {
		md[n++] = "x-spis-citizen";
		md[n++] = k->cit.token;
	}
	md[n] = NULL;
	st = rpc_call(tui_link_client(k->link), svc, index, req, resp,
	    deadline_ms, md, msg, msglen);
	explicit_bzero(bearer, sizeof bearer);
	if (st == GRPC_STATUS_UNAUTHENTICATED && citizen)
		kiosk_citizen_lost(k);
	return st;
}

void
kiosk_citizen_start(struct kiosk *k, const void *p)
{
	const Spis__V1__CitizenSession *s = p;

	kiosk_zero(&k->cit, sizeof k->cit);
	kiosk_copy(k->cit.token, sizeof k->cit.token, s->token);
	kiosk_copy(k->cit.national_id, sizeof k->cit.national_id,
	    s->national_id);
	kiosk_copy(k->cit.given_names, sizeof k->cit.given_names,
	    s->given_names);
	kiosk_copy(k->cit.assisted_by, sizeof k->cit.assisted_by,
	    s->assisted_by);
	k->cit.active = 1;
	k->notice = NULL;
}

void
kiosk_volunteer_start(struct kiosk *k, const void *p)
{
	const Spis__V1__Session *s = p;

	kiosk_zero(&k->vol, sizeof k->vol);
	kiosk_copy(k->vol.token, sizeof k->vol.token, s->token);
	kiosk_copy(k->vol.username, sizeof k->vol.username, s->username);
	kiosk_copy(k->vol.name, sizeof k->vol.name,
	    s->display_name != NULL && s->display_name[0] != '\0' ?
	    s->display_name : s->username);
	k->vol.active = 1;
	k->notice = NULL;
}

void
kiosk_finish(struct kiosk *k)
{
	Spis__V1__EndSittingRequest req = SPIS__V1__END_SITTING_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256];

	if (k->cit.active &&
	    kiosk_call(k, &spis__v1__citizen__descriptor, 5, &req.base, &resp,
	    KIOSK_LEAVE_MS, msg, sizeof msg) == GRPC_STATUS_OK)
		kiosk_msg_free(resp);
	kiosk_zero(&k->cit, sizeof k->cit);
	if (!k->vol.active)
		i18n_set_language(k->language);
	tui_reset(k->tui);
}

void
kiosk_volunteer_logout(struct kiosk *k)
{
	Spis__V1__LogoutRequest req = SPIS__V1__LOGOUT_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	char msg[256];

	kiosk_finish(k);
	if (k->vol.active &&
	    kiosk_call(k, &spis__v1__auth__descriptor, 2, &req.base, &resp,
	    KIOSK_LEAVE_MS, msg, sizeof msg) == GRPC_STATUS_OK)
		kiosk_msg_free(resp);
	kiosk_zero(&k->vol, sizeof k->vol);
	i18n_set_language(k->language);
	tui_reset(k->tui);
}

void
kiosk_volunteer_lost(struct kiosk *k)
{
	kiosk_zero(&k->vol, sizeof k->vol);
	kiosk_finish(k);
	k->notice = N_("The volunteer's session has ended. Log in again to "
	    "carry on helping.");
}

const char *
kiosk_status_text(grpc_status_code st, const char *msg, char *buf,
    size_t len)
{
	switch (st) {
	case GRPC_STATUS_UNAVAILABLE:
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		snprintf(buf, len, "%s", _("Cannot reach the SPIS server "
		    "just now. Please try again in a moment."));
		break;
	default:
		if (msg[0] != '\0')
			snprintf(buf, len, "%s", msg);
		else
			snprintf(buf, len, "%s", rpc_status_name(st));
		break;
	}
	return buf;
}

int
kiosk_heading(struct tui *t, int y, int cols, int step, int steps,
    const char *title)
{
	if (steps > 0)
		tui_putf(t, y++, 2, cols - 4, TUI_A_NORMAL, _("Step %d of %d"),
		    step, steps);
	tui_put(t, y++, 2, cols - 4, TUI_A_BOLD | TUI_A_UNDERLINE, title);
	return y + 1;
}
