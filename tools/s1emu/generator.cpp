#include "generator.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "rng.h"  // tools/emu_common

namespace postured::s1emu {

using emu::Rng;

namespace {

using namespace std::string_view_literals;

enum class Os { kWindows, kMacos, kLinux };
enum class Kind { kLaptop, kDesktop, kServer, kKubernetes };
enum class SerialStyle { kApple, kDell, kLenovo, kHp, kHpe, kVmware };

struct Release {
  std::string_view osName;
  std::string_view osRevision;
  std::string_view deviceOsVersion;  // what the Tailscale client would report
  std::string_view installer;
};

struct Hardware {
  std::string_view modelName;
  SerialStyle serial;
  std::string_view oui;  // first three bytes of the MAC address
};

template <class T, std::size_t N>
using Weighted = std::array<std::pair<int, T>, N>;

// ---- Catalogue. Weights are in arbitrary units. ----

constexpr Weighted<Os, 3> kOses = {{{58, Os::kWindows}, {27, Os::kMacos}, {15, Os::kLinux}}};
constexpr Weighted<Kind, 3> kWindowsKinds = {{{55, Kind::kLaptop}, {30, Kind::kDesktop}, {15, Kind::kServer}}};
constexpr Weighted<Kind, 2> kMacKinds = {{{85, Kind::kLaptop}, {15, Kind::kDesktop}}};
constexpr Weighted<Kind, 3> kLinuxKinds = {{{65, Kind::kServer}, {20, Kind::kKubernetes}, {15, Kind::kDesktop}}};

constexpr Weighted<Release, 4> kWindowsClientReleases = {{
    {35, {"Windows 11 Pro", "22631", "10.0.22631.3447", ".msi"}},
    {25, {"Windows 11 Enterprise", "22621", "10.0.22621.3296", ".msi"}},
    {30, {"Windows 10 Enterprise", "19045", "10.0.19045.4291", ".exe"}},
    {10, {"Windows 10 Pro", "19044", "10.0.19044.3086", ".exe"}},
}};
constexpr Weighted<Release, 3> kWindowsServerReleases = {{
    {50, {"Windows Server 2022 Datacenter", "20348", "10.0.20348.2402", ".msi"}},
    {35, {"Windows Server 2019 Standard", "17763", "10.0.17763.5576", ".msi"}},
    {15, {"Windows Server 2016 Standard", "14393", "10.0.14393.6897", ".exe"}},
}};
constexpr Weighted<Release, 4> kMacReleases = {{
    {35, {"macOS", "14.4.1 (23E224)", "14.4.1", ".pkg"}},
    {25, {"macOS", "14.5 (23F79)", "14.5", ".pkg"}},
    {25, {"macOS", "15.1 (24B83)", "15.1", ".pkg"}},
    {15, {"macOS", "13.6.6 (22G630)", "13.6.6", ".pkg"}},
}};
constexpr Weighted<Release, 5> kLinuxReleases = {{
    {35, {"Linux", "Ubuntu 22.04.4 LTS 5.15.0-105-generic", "Ubuntu 22.04.4 LTS", ".deb"}},
    {15, {"Linux", "Ubuntu 20.04.6 LTS 5.4.0-177-generic", "Ubuntu 20.04.6 LTS", ".deb"}},
    {20,
     {"Linux", "Red Hat Enterprise Linux 9.3 5.14.0-362.24.1.el9_3.x86_64", "Red Hat Enterprise Linux 9.3", ".rpm"}},
    {15, {"Linux", "Debian GNU/Linux 12 6.1.0-20-amd64", "Debian GNU/Linux 12", ".deb"}},
    {15, {"Linux", "Amazon Linux 2023 6.1.84-99.169.amzn2023.x86_64", "Amazon Linux 2023", ".rpm"}},
}};

constexpr Weighted<Hardware, 3> kWindowsLaptops = {{
    {45, {"Dell Inc. - Latitude 5440", SerialStyle::kDell, "54:bf:64"}},
    {35, {"LENOVO - ThinkPad T14 Gen 4", SerialStyle::kLenovo, "8c:16:45"}},
    {20, {"HP - HP EliteBook 840 G10", SerialStyle::kHp, "a0:8c:fd"}},
}};
constexpr Weighted<Hardware, 3> kWindowsDesktops = {{
    {45, {"Dell Inc. - OptiPlex 7010", SerialStyle::kDell, "b0:7b:25"}},
    {30, {"LENOVO - ThinkCentre M70q", SerialStyle::kLenovo, "6c:4b:90"}},
    {25, {"HP - HP EliteDesk 800 G9", SerialStyle::kHp, "30:24:a9"}},
}};
constexpr Weighted<Hardware, 2> kWindowsServers = {{
    {60, {"VMware, Inc. - VMware Virtual Platform", SerialStyle::kVmware, "00:50:56"}},
    {40, {"Dell Inc. - PowerEdge R650", SerialStyle::kDell, "b4:45:06"}},
}};
constexpr Weighted<Hardware, 3> kMacLaptops = {{
    {40, {"MacBookPro18,3", SerialStyle::kApple, "3c:22:fb"}},
    {35, {"Mac14,2", SerialStyle::kApple, "f0:18:98"}},
    {25, {"MacBookAir10,1", SerialStyle::kApple, "a4:83:e7"}},
}};
constexpr Weighted<Hardware, 2> kMacDesktops = {{
    {60, {"iMac21,1", SerialStyle::kApple, "14:98:77"}},
    {40, {"Macmini9,1", SerialStyle::kApple, "f4:d4:88"}},
}};
constexpr Weighted<Hardware, 3> kLinuxServers = {{
    {60, {"VMware, Inc. - VMware Virtual Platform", SerialStyle::kVmware, "00:50:56"}},
    {25, {"Dell Inc. - PowerEdge R750", SerialStyle::kDell, "b4:45:06"}},
    {15, {"HPE - ProLiant DL380 Gen10", SerialStyle::kHpe, "94:40:c9"}},
}};
constexpr Weighted<Hardware, 2> kKubernetesNodes = {{
    {70, {"VMware, Inc. - VMware Virtual Platform", SerialStyle::kVmware, "00:50:56"}},
    {30, {"Dell Inc. - PowerEdge R650", SerialStyle::kDell, "b4:45:06"}},
}};
constexpr Weighted<Hardware, 2> kLinuxDesktops = {{
    {60, {"LENOVO - ThinkPad X1 Carbon Gen 11", SerialStyle::kLenovo, "8c:16:45"}},
    {40, {"Dell Inc. - XPS 13 9320", SerialStyle::kDell, "54:bf:64"}},
}};

constexpr Weighted<std::string_view, 5> kWindowsAgentVersions = {
    {{30, "23.4.6.347"}, {25, "23.3.3.264"}, {20, "24.1.5.277"}, {15, "22.3.5.887"}, {10, "23.1.5.886"}}};
constexpr Weighted<std::string_view, 4> kMacAgentVersions = {
    {{30, "23.4.2.7"}, {25, "24.1.2.6"}, {25, "23.3.1.5"}, {20, "22.4.2.6"}}};
constexpr Weighted<std::string_view, 4> kLinuxAgentVersions = {
    {{30, "23.4.2.14"}, {25, "24.1.2.6"}, {25, "23.3.2.12"}, {20, "22.4.1.2"}}};

constexpr Weighted<std::string_view, 7> kOperationalStates = {{{950, "na"},
                                                               {15, "partially_disabled"},
                                                               {10, "auto_partially_disabled"},
                                                               {10, "fully_disabled"},
                                                               {5, "auto_fully_disabled"},
                                                               {5, "disabled_error"},
                                                               {5, "db_corruption"}}};

constexpr std::array kFirstNames = {"Alice"sv,  "Bob"sv,   "Carol"sv, "Dave"sv,    "Erin"sv,   "Frank"sv,  "Grace"sv,
                                    "Heidi"sv,  "Ivan"sv,  "Judy"sv,  "Mallory"sv, "Niaj"sv,   "Olivia"sv, "Peggy"sv,
                                    "Rupert"sv, "Sybil"sv, "Trent"sv, "Uma"sv,     "Victor"sv, "Wendy"sv,  "Xavier"sv,
                                    "Yara"sv,   "Zoe"sv,   "Liam"sv,  "Noah"sv,    "Emma"sv,   "Ava"sv,    "Mia"sv};
constexpr std::array kWindowsServerRoles = {"DC"sv, "SQL"sv, "FS"sv, "APP"sv, "WEB"sv, "RDS"sv, "EXCH"sv, "PRINT"sv};
constexpr std::array kLinuxServerRoles = {"web"sv,   "db"sv,  "api"sv,       "cache"sv, "worker"sv,
                                          "queue"sv, "vpn"sv, "ci-runner"sv, "log"sv,   "mon"sv};
constexpr std::array kEnvironments = {"prod"sv, "prod"sv, "stage"sv, "dev"sv};
constexpr std::array kLinuxDesktopSuffixes = {"thinkpad"sv, "ubuntu"sv, "workstation"sv, "dev"sv};

struct Group {
  std::string_view id, name;
};
struct Site {
  std::string_view id, name;
  std::array<Group, 2> groups;
};
constexpr std::string_view kAccountId = "1393852365920997627";
constexpr std::string_view kAccountName = "Acme Corp";
constexpr std::array<Site, 3> kSites = {{
    {"1393852366495617311",
     "Headquarters",
     {{{"1393852366520783138", "Default Group"}, {"1462280451117302551", "Engineering"}}}},
    {"1462279960517823890", "Europe", {{{"1462279960551378323", "Default Group"}, {"1462281087472785751", "Sales"}}}},
    {"1511860233472398771",
     "Datacenter",
     {{{"1511860233505953204", "Default Group"}, {"1511860912480011643", "Servers"}}}},
}};

constexpr std::string_view kAlnumUpper = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
constexpr std::string_view kAppleAlphabet = "0123456789CDFGHJKLMNPQRTVWXY";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kClientVersion = "1.94.2";

// ---- Plan: machines first, then their agents. ----

struct Machine {
  Os os = Os::kWindows;
  Kind kind = Kind::kLaptop;
  const Release* release = nullptr;
  const Hardware* hardware = nullptr;
  std::string serial;            // as the machine reports it; empty: none
  bool serialKeyAbsent = false;  // without a serial: key absent (else null)
  std::string computerName;
  int user = 0;  // 0: a server, owned by a tag
  std::size_t site = 0, group = 0;
  std::string mac, ipv4;
  int memoryMb = 16384, cores = 8;
  bool arm = false;
};

struct Plan {
  std::size_t machine = 0;
  Micros created = 0, lastActive = 0;
  bool active = true, decommissioned = false, uninstalled = false;
  bool lowercaseSerial = false;
  bool replaced = false;  // the older agent of a reinstalled machine
  std::string computerName;
  int threats = 0;
};

std::string randomChars(Rng& rng, std::string_view alphabet, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += rng.pick(alphabet);
  return out;
}

std::string hexBytes(Rng& rng, int count, char separator) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    if (i) out += separator;
    out += rng.pick(kHex);
    out += rng.pick(kHex);
  }
  return out;
}

std::string hexString(Rng& rng, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += rng.pick(kHex);
  return out;
}

std::string makeSerial(Rng& rng, SerialStyle style) {
  switch (style) {
    case SerialStyle::kApple: {
      constexpr std::array kPrefixes = {"C02"sv, "C07"sv, "FVF"sv, "G8W"sv, "DM6"sv, "F5K"sv, "H4T"sv, "C1M"sv};
      std::string serial(rng.pick(kPrefixes));
      return serial + randomChars(rng, kAppleAlphabet, 9);
    }
    case SerialStyle::kDell:
      return randomChars(rng, kAlnumUpper, 7);
    case SerialStyle::kLenovo: {
      constexpr std::array kPrefixes = {"PF"sv, "PC"sv, "R9"sv, "MJ"sv};
      std::string serial(rng.pick(kPrefixes));
      return serial + randomChars(rng, kAlnumUpper, 6);
    }
    case SerialStyle::kHp:
      return "5CG" + randomChars(rng, kAlnumUpper, 7);
    case SerialStyle::kHpe:
      return "CZ" + randomChars(rng, kAlnumUpper, 8);
    case SerialStyle::kVmware: {
      std::string serial = "VMware-" + hexBytes(rng, 8, ' ');
      return serial + "-" + hexBytes(rng, 8, ' ');
    }
  }
  return {};
}

std::string lowerFirst(std::string_view name) { return toLowerAscii(name); }

std::string makeComputerName(Rng& rng, const Machine& m) {
  const auto number = [&](int digits) {
    std::string out;
    for (int i = 0; i < digits; ++i) out += static_cast<char>('0' + rng.below(10));
    return out;
  };
  switch (m.os) {
    case Os::kWindows:
      if (m.kind == Kind::kServer) {
        std::string name = "SRV-" + std::string(rng.pick(kWindowsServerRoles));
        return name + "-" + number(2);
      }
      if (rng.chance(500)) return "DESKTOP-" + randomChars(rng, kAlnumUpper, 7);
      if (rng.chance(400)) return "LAPTOP-" + randomChars(rng, kAlnumUpper, 8);
      return std::string(m.kind == Kind::kLaptop ? "ACME-LT" : "ACME-WS") + number(5);
    case Os::kMacos: {
      const std::string first(rng.pick(kFirstNames));
      if (m.kind == Kind::kDesktop) return first + (rng.chance(500) ? "s-iMac" : "s-Mac-mini");
      const auto style = rng.below(10);
      if (style < 5) return first + "s-MacBook-Pro";
      if (style < 8) return lowerFirst(first) + "-mbp";
      // Real consoles show the macOS computer name with its apostrophe and spaces.
      return first + "\u2019s MacBook Air";
    }
    case Os::kLinux:
      if (m.kind == Kind::kKubernetes) return "k8s-node-" + number(3);
      if (m.kind == Kind::kDesktop) {
        std::string name = lowerFirst(rng.pick(kFirstNames));
        return name + "-" + std::string(rng.pick(kLinuxDesktopSuffixes));
      }
      std::string name(rng.pick(kLinuxServerRoles));
      name += "-" + std::string(rng.pick(kEnvironments));
      return name + "-" + number(2);
  }
  return "host";
}

Machine makeMachine(Rng& rng, int& users, std::unordered_set<std::string>& serials) {
  Machine m;
  m.os = rng.weighted(kOses);
  switch (m.os) {
    case Os::kWindows:
      m.kind = rng.weighted(kWindowsKinds);
      m.release =
          m.kind == Kind::kServer ? &rng.weighted(kWindowsServerReleases) : &rng.weighted(kWindowsClientReleases);
      m.hardware = m.kind == Kind::kServer   ? &rng.weighted(kWindowsServers)
                   : m.kind == Kind::kLaptop ? &rng.weighted(kWindowsLaptops)
                                             : &rng.weighted(kWindowsDesktops);
      break;
    case Os::kMacos:
      m.kind = rng.weighted(kMacKinds);
      m.release = &rng.weighted(kMacReleases);
      m.hardware = m.kind == Kind::kLaptop ? &rng.weighted(kMacLaptops) : &rng.weighted(kMacDesktops);
      m.arm = rng.chance(800);
      break;
    case Os::kLinux:
      m.kind = rng.weighted(kLinuxKinds);
      m.release = &rng.weighted(kLinuxReleases);
      m.hardware = m.kind == Kind::kServer       ? &rng.weighted(kLinuxServers)
                   : m.kind == Kind::kKubernetes ? &rng.weighted(kKubernetesNodes)
                                                 : &rng.weighted(kLinuxDesktops);
      m.arm = m.kind == Kind::kKubernetes && rng.chance(100);
      break;
  }
  // Some Linux machines (VMs without SMBIOS data, containers) report no serial.
  if (m.os == Os::kLinux && rng.chance(100)) {
    m.serialKeyAbsent = rng.chance(500);
  } else {
    do m.serial = makeSerial(rng, m.hardware->serial);
    while (!serials.insert(m.serial).second);
  }
  m.computerName = makeComputerName(rng, m);
  if (m.kind == Kind::kLaptop || m.kind == Kind::kDesktop)
    m.user = users > 0 && rng.chance(150) ? static_cast<int>(rng.between(1, users)) : ++users;
  m.site = m.kind == Kind::kServer || m.kind == Kind::kKubernetes ? 2 : rng.below(2);
  m.group = rng.below(2);
  m.mac = std::string(m.hardware->oui) + ":" + hexBytes(rng, 3, ':');
  m.ipv4 = "10." + std::to_string(m.site * 16 + rng.below(16));
  m.ipv4 += "." + std::to_string(rng.below(256));
  m.ipv4 += "." + std::to_string(2 + rng.below(250));
  constexpr std::array kMemory = {8192, 16384, 16384, 32768, 65536};
  m.memoryMb = rng.pick(kMemory);
  m.cores = 2 << rng.below(4);
  return m;
}

// One agent on a machine that was never reinstalled.
Plan planAgent(Rng& rng, std::size_t machine, const Machine& m, Micros base) {
  Plan p;
  p.machine = machine;
  p.computerName = m.computerName;
  p.created = base - rng.between(kMicrosPerDay, 1100 * kMicrosPerDay);
  p.decommissioned = rng.chance(30);
  p.uninstalled = !p.decommissioned && rng.chance(20);
  p.active = !p.decommissioned && !p.uninstalled && rng.chance(930);
  p.lastActive = p.active ? base - rng.between(0, 30 * kMicrosPerMinute)
                          : std::max(p.created + kMicrosPerHour, base - rng.between(kMicrosPerDay, 60 * kMicrosPerDay));
  p.lowercaseSerial = rng.chance(20);
  if (!p.decommissioned && rng.chance(30)) p.threats = rng.chance(700) ? 1 : static_cast<int>(rng.between(2, 7));
  return p;
}

// The two agents of a reinstalled machine: the older stopped reporting when
// the newer registered, and was usually decommissioned by an admin.
std::pair<Plan, Plan> planReinstall(Rng& rng, std::size_t machine, const Machine& m, Micros base) {
  Plan fresh = planAgent(rng, machine, m, base);
  fresh.created = base - rng.between(2 * kMicrosPerDay, 380 * kMicrosPerDay);
  fresh.lastActive = std::max(fresh.lastActive, fresh.created + kMicrosPerHour);
  Plan old;
  old.machine = machine;
  old.replaced = true;
  old.computerName = m.os == Os::kWindows && m.kind != Kind::kServer && rng.chance(300)
                         ? "DESKTOP-" + randomChars(rng, kAlnumUpper, 7)
                         : m.computerName;
  old.created = base - rng.between(400 * kMicrosPerDay, 1100 * kMicrosPerDay);
  old.lastActive = fresh.created - rng.between(kMicrosPerHour, 72 * kMicrosPerHour);
  old.active = false;
  old.decommissioned = rng.chance(700);
  old.lowercaseSerial = rng.chance(20);
  return {std::move(old), std::move(fresh)};
}

std::string secondsTimestamp(Micros t) { return formatTimestamp(t).substr(0, 19) + "Z"; }

std::string_view osType(Os os) {
  switch (os) {
    case Os::kWindows:
      return "windows";
    case Os::kMacos:
      return "macos";
    case Os::kLinux:
      return "linux";
  }
  return "windows";
}

std::string_view machineType(Kind kind) {
  switch (kind) {
    case Kind::kLaptop:
      return "laptop";
    case Kind::kDesktop:
      return "desktop";
    case Kind::kServer:
      return "server";
    case Kind::kKubernetes:
      return "kubernetes node";
  }
  return "unknown";
}

std::string_view interfaceName(Os os, bool vm) {
  switch (os) {
    case Os::kWindows:
      return vm ? "Ethernet0" : "Ethernet";
    case Os::kMacos:
      return "en0";
    case Os::kLinux:
      return vm ? "ens160" : "eth0";
  }
  return "eth0";
}

// Keys in alphabetical order, as real consoles send them.
AgentJson buildAgent(Rng& rng, const Plan& p, const Machine& m, std::uint64_t id, Micros base) {
  const auto& site = kSites[m.site];
  const auto& group = site.groups[m.group];
  const std::string_view version = m.os == Os::kWindows ? rng.weighted(kWindowsAgentVersions)
                                   : m.os == Os::kMacos ? rng.weighted(kMacAgentVersions)
                                                        : rng.weighted(kLinuxAgentVersions);
  const bool vm = m.hardware->serial == SerialStyle::kVmware;
  const std::string uuid = hexString(rng, 32);
  const std::string user = m.user ? "user" + std::to_string(m.user) : std::string();
  const int encryptPermille = m.os == Os::kMacos ? 900 : m.os == Os::kWindows ? 750 : 300;
  std::string_view network = "disconnected";
  if (p.active) network = rng.chance(950) ? "connected" : rng.chance(600) ? "connecting" : "disconnecting";
  const Micros updated = std::min(base, std::max(p.created, p.lastActive - rng.between(0, 6 * kMicrosPerHour)));

  AgentJson a = AgentJson::object();
  a["accountId"] = kAccountId;
  a["accountName"] = kAccountName;
  a["activeThreats"] = p.threats;
  a["agentVersion"] = version;
  a["allowRemoteShell"] = false;
  a["computerName"] = p.computerName;
  a["coreCount"] = m.cores;
  a["cpuCount"] = m.cores;
  a["createdAt"] = formatTimestamp(p.created);
  a["detectionState"] = "full_mode";
  a["domain"] = m.os == Os::kWindows ? (rng.chance(800) ? "ACME" : "WORKGROUP") : "unknown";
  a["encryptedApplications"] = rng.chance(encryptPermille);
  a["externalId"] = rng.chance(500) ? AgentJson("") : AgentJson(nullptr);
  a["externalIp"] = (m.site == 1 ? "198.51.100." : "203.0.113.") + std::to_string(1 + rng.below(254));
  a["firewallEnabled"] = rng.chance(750);
  a["groupId"] = group.id;
  a["groupName"] = group.name;
  a["id"] = std::to_string(id);
  a["inRemoteShellSession"] = false;
  a["infected"] = p.threats > 0;
  a["installerType"] = m.release->installer;
  a["isActive"] = p.active;
  a["isDecommissioned"] = p.decommissioned;
  a["isPendingUninstall"] = false;
  a["isUninstalled"] = p.uninstalled;
  a["isUpToDate"] = version.starts_with("24.");
  a["lastActiveDate"] = formatTimestamp(p.lastActive);
  a["lastIpToMgmt"] = rng.chance(950) ? AgentJson(m.ipv4) : AgentJson(nullptr);
  a["lastLoggedInUserName"] = user;
  a["licenseKey"] = "";
  a["locationEnabled"] = true;
  a["machineType"] = machineType(m.kind);
  a["mitigationMode"] = rng.chance(900) ? "protect" : "detect";
  a["modelName"] = m.hardware->modelName;
  std::string physical = m.mac;
  // MAC formats differ between consoles and OSes.
  if (m.os == Os::kWindows && rng.chance(300)) {
    for (auto& c : physical) c = c == ':' ? '-' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const auto dot = m.ipv4.rfind('.');
  std::string inet6 = "fe80::";
  for (int i = 0; i < 4; ++i) inet6 += (i ? ":" : "") + hexString(rng, 4);
  a["networkInterfaces"] = AgentJson::array({AgentJson{
      {"gatewayIp", m.ipv4.substr(0, dot) + ".1"},
      {"gatewayMacAddress", p.active ? AgentJson("00:1b:17:00:01:" + hexBytes(rng, 1, ':')) : AgentJson(nullptr)},
      {"id", std::to_string(id + 17)},
      {"inet", AgentJson::array({m.ipv4})},
      {"inet6", AgentJson::array({inet6})},
      {"name", interfaceName(m.os, vm)},
      {"physical", physical},
  }});
  a["networkQuarantineEnabled"] = false;
  a["networkStatus"] = network;
  a["operationalState"] = rng.weighted(kOperationalStates);
  a["operationalStateExpiration"] = nullptr;
  a["osArch"] = m.arm ? "ARM64" : "64 bit";
  a["osName"] = m.release->osName;
  a["osRevision"] = m.release->osRevision;
  a["osStartTime"] = secondsTimestamp(p.lastActive - rng.between(kMicrosPerHour, 20 * kMicrosPerDay));
  a["osType"] = osType(m.os);
  if (!user.empty())
    a["osUsername"] = user;
  else
    a["osUsername"] = m.os == Os::kWindows ? AgentJson("Administrator")
                      : rng.chance(500)    ? AgentJson("root")
                                           : AgentJson(nullptr);
  a["rangerStatus"] = "NotApplicable";
  a["registeredAt"] = formatTimestamp(p.created + rng.between(0, 5 * kMicrosPerSecond));
  a["scanStatus"] = rng.chance(850) ? "finished" : rng.chance(700) ? "none" : "started";
  if (!m.serial.empty())
    a["serialNumber"] = p.lowercaseSerial ? toLowerAscii(m.serial) : m.serial;
  else if (!m.serialKeyAbsent)
    a["serialNumber"] = nullptr;
  a["siteId"] = site.id;
  a["siteName"] = site.name;
  a["threatRebootRequired"] = p.threats > 0 && rng.chance(300);
  a["totalMemory"] = m.memoryMb;
  a["updatedAt"] = formatTimestamp(updated);
  a["userActionsNeeded"] = rng.chance(20) ? AgentJson::array({"reboot_needed"}) : AgentJson::array();
  a["uuid"] = uuid;
  return a;
}

std::string_view deviceOs(Os os) {
  switch (os) {
    case Os::kWindows:
      return "windows";
    case Os::kMacos:
      return "macOS";
    case Os::kLinux:
      return "linux";
  }
  return "linux";
}

// Tailscale-style: a taken name gets "-2", "-3", ...; `next` remembers
// where each name's count stands, so a popular name costs no rescans.
class HostnameAllocator {
 public:
  std::string allocate(std::string_view computerName) {
    const auto base = hostnameFor(computerName);
    if (used_.insert(base).second) return base;
    for (int& n = next_.try_emplace(base, 2).first->second;; ++n) {
      const auto suffix = "-" + std::to_string(n);
      auto candidate = base.substr(0, 63 - suffix.size());
      while (!candidate.empty() && candidate.back() == '-') candidate.pop_back();
      candidate += suffix;
      if (used_.insert(candidate).second) return candidate;
    }
  }

 private:
  std::unordered_set<std::string> used_;
  std::unordered_map<std::string, int> next_;
};

}  // namespace

std::string hostnameFor(std::string_view computerName) {
  std::string out;
  for (std::size_t i = 0; i < computerName.size(); ++i) {
    const auto c = static_cast<unsigned char>(computerName[i]);
    // Apostrophes vanish ("Alice's" -> "alices"), as macOS does for its local host name.
    if (c == '\'') continue;
    if (c == 0xE2 && computerName.substr(i, 3) == "\u2019") {
      i += 2;
      continue;
    }
    if (std::isalnum(c) && c < 0x80) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  if (out.size() > 63) out.resize(63);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "device" : out;
}

nlohmann::ordered_json generateFleet(const GeneratorOptions& options, const std::function<void(AgentJson)>& sink) {
  Rng rng(options.seed);
  const Micros base = options.baseTime;
  std::vector<Machine> machines;
  std::vector<Plan> plans;
  plans.reserve(options.agents);
  std::unordered_set<std::string> serials;
  int users = 0;
  while (plans.size() < options.agents) {
    machines.push_back(makeMachine(rng, users, serials));
    const auto index = machines.size() - 1;
    if (options.agents - plans.size() >= 2 && rng.chance(30)) {
      auto [old, fresh] = planReinstall(rng, index, machines.back(), base);
      plans.push_back(std::move(old));
      plans.push_back(std::move(fresh));
    } else {
      plans.push_back(planAgent(rng, index, machines.back(), base));
    }
  }

  // Ids grow with registration time, as a console's do; order by creation.
  std::vector<std::size_t> order(plans.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(plans[a].created, a) < std::pair(plans[b].created, b);
  });
  // Start just below 10^18, so a large fleet has 18- and 19-digit ids, like
  // an older console's: clients must order them as numbers, not text.
  constexpr std::uint64_t kMeanIdStep = 300'000'000'000ULL;
  std::uint64_t id = 1'000'000'000'000'000'000ULL - (options.agents / 2 + 1) * kMeanIdStep;
  for (const auto i : order) {
    id += static_cast<std::uint64_t>(rng.between(100'000'000'000LL, 500'000'000'000LL));
    sink(buildAgent(rng, plans[i], machines[plans[i].machine], id, base));
  }

  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  HostnameAllocator hostnames;
  for (const auto& m : machines) {
    if (m.serial.empty()) continue;
    nlohmann::ordered_json d;
    d["hostname"] = hostnames.allocate(m.computerName);
    if (m.user)
      d["user"] = "user" + std::to_string(m.user) + "@example.com";
    else
      d["tags"] = nlohmann::ordered_json::array({"tag:server"});
    d["os"] = deviceOs(m.os);
    d["osVersion"] = m.release->deviceOsVersion;
    d["clientVersion"] = kClientVersion;
    d["serialNumbers"] = nlohmann::ordered_json::array({m.serial});
    devices.push_back(std::move(d));
  }
  return {{"devices", std::move(devices)}};
}

}  // namespace postured::s1emu
