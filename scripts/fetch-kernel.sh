#!/usr/bin/env bash
# Unpack Linux 7.3 source from Debian's linux-source-7.3 package (trixie-backports) into the cache,
# through a private apt configuration: the system's apt sources are never touched. The mirror is
# whatever Debian mirror this machine's own apt configuration already uses.
# Prints nothing and does nothing when the tree is already there. KSRC=<tree> skips all of it.
source "$(dirname "$0")/common.sh"

[ -n "${KSRC:-}" ] && exit 0
SUITE=${KSRC_SUITE:-trixie-backports}
PKG=linux-source-$KVER_WANT
SRCROOT="$CACHE/src"
if compgen -G "$SRCROOT/linux-source-$KVER_WANT/Makefile" >/dev/null; then exit 0; fi

how_else="Point KSRC= at an unpacked Linux $KVER_WANT tree instead (e.g. make test KSRC=/path/to/linux-$KVER_WANT)."

# The Debian mirror this machine already uses: the site that serves its own release.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mirror=$(apt-get indextargets --format '$(SITE) $(RELEASE)' 2>/dev/null |
  awk -v c="$codename" '$2 == c { print $1; exit }')
[ -n "$mirror" ] || mirror=$(apt-get indextargets --format '$(SITE) $(RELEASE)' 2>/dev/null |
  awk '$2 !~ /security/ && $1 ~ /debian\/?$/ { print $1; exit }')
[ -n "$mirror" ] || die "no Debian mirror found in this machine's apt configuration. $how_else"

APT="$CACHE/apt"
mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/cache" "$SRCROOT"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
  "$mirror" "$SUITE" "$keyring" >"$APT/ofgroup.sources"
aptopts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$APT/sourceparts"
  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "Dir::Cache::Archives=$APT/archives"
  -o "Dir::State::status=/dev/null" -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1")
mkdir -p "$APT/sourceparts"
cp "$APT/ofgroup.sources" "$APT/sourceparts/ofgroup.sources"

log "fetching $PKG from $SUITE (private apt config in $APT)"
apt-get "${aptopts[@]}" update -qq ||
  die "apt could not read $SUITE from $mirror. $how_else"
(cd "$APT/archives" && apt-get "${aptopts[@]}" download -qq "$PKG") ||
  die "package $PKG is not available from $SUITE. $how_else"
deb=$(ls -t "$APT"/archives/"${PKG}"_*.deb | head -n1)

tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz | head -n1)
[ -f "$tarball" ] || die "$deb holds no source tarball. $how_else"
log "unpacking $(basename "$tarball")"
tar -xJf "$tarball" -C "$tmp"
rm -rf "$SRCROOT/linux-source-$KVER_WANT"
mv "$tmp/$(basename "$tarball" .tar.xz)" "$SRCROOT/linux-source-$KVER_WANT"
echo "$deb" >"$SRCROOT/linux-source-$KVER_WANT/.ofgroup-origin"
