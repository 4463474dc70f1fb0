{
  'targets': [
    {
      'target_name': 'tunnel_relay',
      'sources': ['tunnel_relay.c', 'segment_encoder.c', 'leg_recording.c', 'write_behind.c', 'connect_head.c'],
      'cflags': ['-O2', '-Wall', '-Wextra'],
    },
  ],
}
