# A command's process, started by the runner before the command is known (see takeStandby in runner.js): spawned exactly
# as a command's bash would be (agent ids, own session and process group, pipes for stdout and stderr), it waits for
# "<length>\n<cwd>\0<command>\0<NAME=value>\0..." on stdin, then becomes `/bin/bash -c <command>` in that directory with
# exactly that environment and /dev/null as stdin. What the runner paid per command to fork itself (~2 ms) is paid
# while the sandbox is idle. Perl (Debian's essential perl-base) because Node cannot exec in place.
# No `use warnings`: whatever perl prints goes to the command's stderr.
use strict;

my ($length, $c) = ('', '');
while (1) {
    sysread(STDIN, $c, 1) == 1 or exit 0;    # the runner let go of this standby
    last if $c eq "\n";
    $length .= $c;
}
my $request = '';
while (length($request) < $length) {
    my $n = sysread(STDIN, $request, $length - length($request), length($request));
    exit 0 unless $n;
}
my ($cwd, $command, @env) = split /\0/, $request, -1;
unless (chdir $cwd) {
    print STDERR "cannot enter $cwd: $!\n";
    exit 126;
}
%ENV = ();
for my $pair (@env) {
    my ($name, $value) = split /=/, $pair, 2;
    $ENV{$name} = $value;
}
open(STDIN, '<', '/dev/null') or exit 126;
exec { '/bin/bash' } '/bin/bash', '-c', $command or do {
    print STDERR "cannot start bash: $!\n";
    exit 127;
};
