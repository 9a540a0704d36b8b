# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Receives Swift's syslog datagrams on a unix socket and appends them to a file.

The machine has no /dev/log; without a socket Swift would log over UDP to
port 514, where nothing listens.

usage: swift_logsink.py SOCKET LOGFILE
"""
import os
import socket
import sys


def main():
    sock_path, log_path = sys.argv[1], sys.argv[2]
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    with open(log_path, 'ab', buffering=0) as log:
        while True:
            message = sock.recv(65536)
            # Drop the syslog priority prefix "<NN>".
            log.write(message.split(b'>', 1)[-1].rstrip(b'\0\n') + b'\n')


if __name__ == '__main__':
    main()
