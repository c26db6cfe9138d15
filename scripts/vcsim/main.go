// Command vcsim serves a simulated vCenter (govmomi's simulator package, as Debian ships it) for the vmware
// provider's tests: an inventory of the size the flags ask for, the vSphere SOAP API at /sdk (and the REST API at
// /rest) over TLS on the address given. Once it serves, it prints the SDK URL on one line of standard output; it
// stops on SIGTERM or SIGINT. Built by scripts/ensure-vcsim.sh.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
	// The /rest endpoints (sessions, tags, content libraries), registered by the package's init.
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	model := simulator.VPX()
	flag.IntVar(&model.Datacenter, "dc", 1, "datacenters")
	flag.IntVar(&model.Cluster, "cluster", 1, "clusters per datacenter")
	flag.IntVar(&model.ClusterHost, "cluster-host", 3, "hosts per cluster")
	flag.IntVar(&model.Host, "standalone-host", 1, "standalone hosts per datacenter")
	flag.IntVar(&model.Pool, "pool", 0, "resource pools per cluster, under its root pool")
	flag.IntVar(&model.Machine, "vm", 2, "virtual machines per resource pool and per standalone host")
	flag.IntVar(&model.Datastore, "ds", 1, "datastores")
	flag.IntVar(&model.Portgroup, "portgroup", 1, "distributed port groups per datacenter")
	flag.IntVar(&model.Folder, "folder", 0, "datacenters placed in a folder of their own")
	autostart := flag.Bool("autostart", true, "power on the virtual machines the model creates")
	guestAddresses := flag.Bool("guest-addresses", true, "give each powered-on virtual machine the addresses VMware Tools would report")
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (port 0: one the system picks)")
	username := flag.String("username", "user", "the user name Login accepts")
	password := flag.String("password", "pass", "the password Login accepts")
	flag.Parse()
	model.Autostart = *autostart

	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: could not create the inventory: %v", err)
	}
	if *guestAddresses {
		addGuestAddresses()
	}

	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	model.Service.RegisterEndpoints = true
	// An empty TLS configuration: the server serves the self-signed localhost certificate of Go's httptest.
	model.Service.TLS = new(tls.Config)
	server := model.Service.NewServer()

	// The URL without its user: the password is the caller's to know, not to read back from a log.
	sdk := *server.URL
	sdk.User = nil
	fmt.Println(sdk.String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	// Not server.Close(): it waits for the requests in progress, and a WaitForUpdatesEx holds its request for as
	// long as the client asked to wait, whether or not the client is still there.
	server.CloseClientConnections()
	model.Remove() // the datastores' temporary folders
	os.Exit(0)
}

// addGuestAddresses gives each powered-on virtual machine's first network card an IPv4 and an IPv6 address, and the
// machine the IPv4 one for its primary address, as VMware Tools reports a running guest's (vcsim reports none).
func addGuestAddresses() {
	for i, entity := range simulator.Map.All("VirtualMachine") {
		vm, ok := entity.(*simulator.VirtualMachine)
		if !ok || vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn || len(vm.Guest.Net) == 0 {
			continue
		}
		// Host parts 1 to 254: never a network's or a broadcast address.
		ipv4 := fmt.Sprintf("10.%d.%d.%d", 100+i/(254*256), i/254%256, i%254+1)
		vm.Guest.IpAddress = ipv4
		vm.Summary.Guest.IpAddress = ipv4
		vm.Guest.Net[0].IpAddress = []string{ipv4, fmt.Sprintf("fd00::%x", i+1)}
	}
}
