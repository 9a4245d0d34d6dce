/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printer_escpos: a real ESC/POS printer behind a file descriptor — a serial
 * tty (termios), the USB printer class (/dev/usb/lpN), raw TCP (port 9100)
 * or a plain file.  Only opening differs between transports; writing and the
 * real-time status (DLE EOT n) are the same bytes on every wire.
 *
 * The fd is non-blocking and every wait is a poll() with the configured
 * timeout, so a printer that stops reading (flow control held, cable pulled)
 * gives -ETIMEDOUT instead of hanging the worker.
 */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>

#include "printer.h"

/* DLE EOT n status bytes: bits 1 and 4 always set, bits 0 and 7 clear. */
#define ESCPOS_STATUS_MASK  0x93
#define ESCPOS_STATUS_FIXED 0x12
#define ESCPOS_OFFLINE      0x08 /* n=1 bit 3 */
#define ESCPOS_COVER_OPEN   0x04 /* n=2 bit 2 */
#define ESCPOS_PAPER_STOP   0x20 /* n=2 bit 5: printing stopped at paper end */
#define ESCPOS_NEAR_END     0x0c /* n=4 bits 2-3 */
#define ESCPOS_PAPER_END    0x60 /* n=4 bits 5-6 */

struct printer_escpos {
	struct hal_printer base;
	enum hal_printer_transport transport;
	int fd;
	int timeout_ms;
};

static speed_t escpos_speed(int baud)
{
	switch (baud) {
	case 9600:
		return B9600;
	case 19200:
		return B19200;
	case 38400:
		return B38400;
	case 57600:
		return B57600;
	case 115200:
		return B115200;
	default:
		return B0;
	}
}

static int escpos_open_serial(const struct hal_printer_config *cfg, int fd)
{
	struct termios tio;
	speed_t speed = escpos_speed(cfg->baud);

	if (speed == B0)
		return -EINVAL;
	if (tcgetattr(fd, &tio) < 0)
		return -errno;
	cfmakeraw(&tio);
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(tcflag_t)CRTSCTS;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
	if (cfg->flow == HAL_PRINTER_FLOW_RTSCTS)
		tio.c_cflag |= CRTSCTS;
	else if (cfg->flow == HAL_PRINTER_FLOW_XONXOFF)
		tio.c_iflag |= IXON | IXOFF;
	if (tcsetattr(fd, TCSANOW, &tio) < 0)
		return -errno;
	return 0;
}

static int escpos_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	if ((pfd.revents & (POLLERR | POLLNVAL)) ||
	    ((pfd.revents & POLLHUP) && !(pfd.revents & events)))
		return -EIO;
	return 0;
}

static int escpos_open_tcp(const struct hal_printer_config *cfg, int timeout_ms, int *ret_fd)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	char port[16];
	int fd = -1, r, err = 0;
	socklen_t len = sizeof(err);

	g_snprintf(port, sizeof(port), "%d", cfg->port ? cfg->port : 9100);
	r = getaddrinfo(cfg->host, port, &hints, &res);
	if (r != 0)
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto free_res;
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) < 0 && errno != EINPROGRESS) {
		r = -errno;
		goto close_fd;
	}
	r = escpos_poll(fd, POLLOUT, timeout_ms);
	if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		r = -errno;
	if (r == 0 && err)
		r = -err;
	if (r < 0)
		goto close_fd;
	freeaddrinfo(res);
	*ret_fd = fd;
	return 0;
close_fd:
	close(fd);
free_res:
	freeaddrinfo(res);
	return r;
}

static int escpos_open(const struct hal_printer_config *cfg, struct hal_printer **ret_printer)
{
	int timeout_ms = cfg->timeout_ms ? (int)cfg->timeout_ms : 1000;
	int fd = -1, r;
	struct printer_escpos *p;

	switch (cfg->transport) {
	case HAL_PRINTER_TCP:
		r = escpos_open_tcp(cfg, timeout_ms, &fd);
		if (r < 0)
			return r;
		break;
	case HAL_PRINTER_FILE:
		fd =
		    open(cfg->device, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0644);
		if (fd < 0)
			return -errno;
		break;
	case HAL_PRINTER_SERIAL:
	case HAL_PRINTER_USB:
		fd = open(cfg->device, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			return -errno;
		if (cfg->transport == HAL_PRINTER_SERIAL) {
			r = escpos_open_serial(cfg, fd);
			if (r < 0) {
				close(fd);
				return r;
			}
		}
		break;
	case HAL_PRINTER_SIM:
		return -EINVAL;
	}
	p = g_new0(struct printer_escpos, 1);
	p->transport = cfg->transport;
	p->fd = fd;
	p->timeout_ms = timeout_ms;
	*ret_printer = &p->base;
	return 0;
}

static int escpos_write(struct hal_printer *base, const uint8_t *data, size_t len)
{
	struct printer_escpos *p = (struct printer_escpos *)base;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(p->fd, data + done, len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n < 0 && errno == EAGAIN) {
			int r = escpos_poll(p->fd, POLLOUT, p->timeout_ms);

			if (r < 0)
				return r;
		}
	}
	if (p->transport == HAL_PRINTER_SERIAL && tcdrain(p->fd) < 0 && errno != ENOTTY)
		return -errno;
	return 0;
}

/* DLE EOT 1, 2 and 4 in one write, three status bytes back in that order.
 * A printer answers each DLE EOT as it arrives (a real-time command), so the
 * three need one round trip on the wire, not three: on a USB-serial adapter
 * that holds what it reads for its latency timer (FTDI's 16 ms), and on this
 * machine's pty peers alike, the round trip is what a status costs. */
static int escpos_status(struct hal_printer *base, struct hal_printer_status *ret_status)
{
	struct printer_escpos *p = (struct printer_escpos *)base;
	static const uint8_t cmd[9] = {0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4};
	uint8_t st[3], junk[64];
	size_t have = 0;
	int r;

	if (p->transport == HAL_PRINTER_FILE)
		return -ENOTSUP;
	/* Whatever an earlier, timed-out query left behind is stale now. */
	while (read(p->fd, junk, sizeof(junk)) > 0)
		;
	r = escpos_write(&p->base, cmd, sizeof(cmd));
	if (r < 0)
		return r;
	while (have < sizeof(st)) {
		ssize_t got;

		r = escpos_poll(p->fd, POLLIN, p->timeout_ms);
		if (r < 0)
			return r;
		got = read(p->fd, st + have, sizeof(st) - have);
		if (got == 0)
			return -EIO;
		if (got < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			continue;
		}
		have += (size_t)got;
	}
	for (size_t i = 0; i < sizeof(st); i++)
		if ((st[i] & ESCPOS_STATUS_MASK) != ESCPOS_STATUS_FIXED)
			return -EBADMSG;
	*ret_status = (struct hal_printer_status){
	    .offline = st[0] & ESCPOS_OFFLINE,
	    .cover_open = st[1] & ESCPOS_COVER_OPEN,
	    .paper_end =
		(st[1] & ESCPOS_PAPER_STOP) || (st[2] & ESCPOS_PAPER_END) == ESCPOS_PAPER_END,
	    .paper_near_end = (st[2] & ESCPOS_NEAR_END) == ESCPOS_NEAR_END,
	};
	return 0;
}

static void escpos_close(struct hal_printer *base)
{
	struct printer_escpos *p = (struct printer_escpos *)base;

	close(p->fd);
	g_free(p);
}

const struct hal_printer_ops hal_printer_escpos_ops = {
    .name = "escpos",
    .open = escpos_open,
    .write = escpos_write,
    .status = escpos_status,
    .close = escpos_close,
};
