/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * signal: messages on an expert's signalling WebSocket (/api/signal) as
 * its "message" signal hands them to vuorod (api_signal_message): the
 * JSON checks, then the booths' answer, ice, resume and attach, down to
 * webrtcbin's SDP and ICE parsing, on the sim board's site (site.h).
 *
 * The socket is a real libsoup WebSocket on memory streams, the expert's
 * ("expert", of provider kela); before each input a session of hers
 * is ringing or running (a kela-video ticket called into a booth), and
 * "$S" in the input is that session's id.  Byte 0 picks the frame's type
 * (odd: binary, which the page never sends); the rest is the message.
 */
#include "site.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static SoupWebsocketConnection *ws;
static int64_t session;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GOutputStream) out = NULL;
	g_autoptr(GIOStream) io = NULL;
	g_autoptr(GUri) uri = g_uri_parse("ws://127.0.0.1/api/signal", G_URI_FLAGS_NONE, NULL);

	site_open();
	in = g_memory_input_stream_new();
	out = g_memory_output_stream_new_resizable();
	io = g_simple_io_stream_new(in, out);
	ws = soup_websocket_connection_new(io, uri, SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL,
					   NULL);
	g_object_set_data_full(G_OBJECT(ws), "vuoro-user", g_strdup("expert"), g_free);
	return 0;
}

/* A session of the expert's on @ws: the running one, or a new kela-video
 * ticket called into a booth. */
static void session_ensure(void)
{
	static const char ticket[] = "{\"service\": \"kela-video\", \"handout\": \"screen\"}";
	g_autoptr(GError) error = NULL;
	int booth = session > 0 ? booths_booth_of_session(site.booths, session) : -1;

	if (booth > 0)
		return;
	site_call("POST", "/api/tickets", CALLER_KIOSK, FALSE, (const uint8_t *)ticket,
		  sizeof(ticket) - 1);
	session = booths_call(site.booths, "expert", "kela", 0, 0, ws, NULL, &error);
	if (session < 0)
		fprintf(stderr, "fuzz-signal: no session: %s\n", error->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *id = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GBytes) message = NULL;

	if (size < 1)
		return 0;
	session_ensure();
	id = g_strdup_printf("%" G_GINT64_FORMAT, session);
	text = g_strndup((const char *)data + 1, size - 1);
	parts = g_strsplit(text, "$S", -1);
	g_free(text);
	text = g_strjoinv(id, parts);
	message = g_bytes_new(text, strlen(text));
	api_signal_message(ws, data[0] & 1 ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
			   message, site.api);
	/* What the pipeline does with it happens on the main loop. */
	for (int i = 0; i < 100 && g_main_context_iteration(NULL, FALSE); i++)
		;
	return 0;
}
