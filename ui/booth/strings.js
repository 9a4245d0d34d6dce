// SPDX-License-Identifier: GPL-3.0-or-later
// The booth screen's words are booth.* in the message catalogs
// (ui/i18n/LANG.json).  The message templates (msg_*) are the names
// firmware/booth.c accepts from the expert (message_templates[]); the end
// reasons (ended_*) are session_end_name().  Plain data: tests import it in
// Node too.

export const TEMPLATES = ["show_id", "show_document", "use_card", "wait", "speak_louder", "thanks"];
export const REASONS = ["expert_ended", "customer_left", "network_lost", "no_answer", "error"];

