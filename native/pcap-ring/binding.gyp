{
  'targets': [
    {
      'target_name': 'pcap_ring',
      'sources': ['pcap_ring.c'],
      'cflags': ['-O2', '-Wall', '-Wextra'],
      'link_settings': { 'libraries': ['-lpcap'] },
    },
  ],
}
