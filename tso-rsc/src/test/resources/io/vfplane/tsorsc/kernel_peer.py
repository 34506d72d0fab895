"""Test peer for KernelAcceptanceTest: plays the sending host of one TCP connection towards a Linux receiver.

mode "packet": raw AF_PACKET socket on a veth whose other end is in the receiver's namespace.
mode "tap":    a TAP (IFF_VNET_HDR) created in the receiver's namespace; frames are written with a virtio_net_hdr.

Protocol on stdin/stdout: the peer handshakes (SYN, SYN-ACK, ACK), prints "ACK <ack> SEQ <seq>", reads one line
"GO <frames file>", writes each frame of the file (records: 2-byte BE length of header+frame, 10-byte vnet header,
frame), sends FIN, waits for the receiver's FIN, prints "DONE". Only the standard library is used.
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

mode, ifname = sys.argv[1], sys.argv[2]
src_mac = bytes.fromhex(sys.argv[3].replace(":", ""))
dst_mac = bytes.fromhex(sys.argv[4].replace(":", ""))
src_ip, dst_ip = socket.inet_aton(sys.argv[5]), socket.inet_aton(sys.argv[6])
sport, dport, isn = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_frame(seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp


if mode == "tap":
    TUNSETIFF, IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x400454CA, 0x0002, 0x1000, 0x4000
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
    print("TAP", flush=True)
    sys.stdin.readline()  # the test configures the device, then says go on

    def send(frame, vnet=b"\0" * 10):
        os.write(fd, vnet + frame)

    def recv(timeout):
        r, _, _ = select.select([fd], [], [], timeout)
        return os.read(fd, 70000)[10:] if r else None
else:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((ifname, 0))

    def send(frame, vnet=None):
        s.send(frame)

    def recv(timeout):
        r, _, _ = select.select([s], [], [], timeout)
        return s.recv(70000) if r else None


def wait_for(flag_mask, deadline, resend=None):
    next_send = 0
    while time.time() < deadline:
        if resend is not None and time.time() >= next_send:
            # retransmit like TCP would: a just-created link may drop the first frames
            send(resend)
            next_send = time.time() + 1
        f = recv(0.2)
        if f and len(f) >= 54 and f[23] == 6 and f[26:30] == dst_ip:
            ihl = (f[14] & 0x0F) * 4
            t = 14 + ihl
            if struct.unpack("!H", f[t + 2:t + 4])[0] == sport and f[t + 13] & flag_mask == flag_mask:
                return struct.unpack("!I", f[t + 4:t + 8])[0]
    raise SystemExit("no reply with flags %#x" % flag_mask)


server_isn = wait_for(0x12, time.time() + 10, tcp_frame(isn, 0, 0x02))
ack = (server_isn + 1) & 0xFFFFFFFF
send(tcp_frame(isn + 1, ack, 0x10))
print("ACK %d SEQ %d" % (ack, isn + 1), flush=True)
go = sys.stdin.readline().split()
data = open(go[1], "rb").read()
sent = 0
at = 0
while at < len(data):
    (n,) = struct.unpack("!H", data[at:at + 2])
    record = data[at + 2:at + 2 + n]
    vnet, frame = record[:10], record[10:]
    send(frame, vnet)
    ihl = (frame[14] & 0x0F) * 4
    t = 14 + ihl
    sent += len(frame) - t - ((frame[t + 12] >> 4) * 4)
    at += 2 + n
    time.sleep(0.001)
send(tcp_frame((isn + 1 + sent) & 0xFFFFFFFF, ack, 0x11))
wait_for(0x01, time.time() + 10)
send(tcp_frame((isn + 2 + sent) & 0xFFFFFFFF, (ack + 1) & 0xFFFFFFFF, 0x10))
print("DONE %d" % sent, flush=True)
