/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub-command: the hub's commands to the site's booths (NATS request
 * vuoro.site.<site>.cmd.<verb>, firmware/uplink/commands.h: call, end,
 * signal, book, …) through commands_run, on the sim board's site (site.h).
 * Byte 0 picks the verb (the last pick an unknown one); the rest is the
 * JSON body.  What the site would publish back to the hub is dropped.
 */
#include "commands.h"
#include "site.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct commands *commands;

static void publish_drop(char *subject, char *data, gpointer user_data)
{
	g_free(subject);
	g_free(data);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	site_open();
	commands = commands_new(fuzz_config(), site.api, publish_drop, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const verbs[] = {
	    "call",   "end",       "message", "document",       "consent",  "ask-identity",
	    "signal", "peer-gone", "book",    "cancel-booking", "identity", "no-such-verb"};
	g_autofree char *reply = NULL;

	if (size < 1)
		return 0;
	reply = commands_run(commands, verbs[data[0] % G_N_ELEMENTS(verbs)], (const char *)data + 1,
			     size - 1);
	if (!reply)
		abort(); /* every command is answered */
	for (int i = 0; i < 100 && g_main_context_iteration(NULL, FALSE); i++)
		;
	return 0;
}
