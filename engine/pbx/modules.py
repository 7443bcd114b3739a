"""The Asterisk modules each instance loads. Everything else stays unloaded."""

from __future__ import annotations

_PJSIP = (
    "res_sorcery_config", "res_sorcery_memory", "res_sorcery_astdb", "res_pjproject",
    "res_pjsip", "res_pjsip_session", "res_pjsip_pubsub", "chan_pjsip", "res_pjsip_authenticator_digest",
    "res_pjsip_outbound_authenticator_digest", "res_pjsip_endpoint_identifier_ip",
    "res_pjsip_endpoint_identifier_user", "res_pjsip_endpoint_identifier_anonymous",
    "res_pjsip_registrar", "res_pjsip_outbound_registration", "res_pjsip_caller_id",
    "res_pjsip_sdp_rtp", "res_pjsip_nat", "res_pjsip_rfc3326", "res_pjsip_header_funcs",
    "res_pjsip_dtmf_info", "res_pjsip_dlg_options", "res_pjsip_diversion", "res_pjsip_acl",
    "res_pjsip_logger", "res_rtp_asterisk", "res_timing_timerfd",
)
_MEDIA = (
    "bridge_simple", "bridge_softmix", "bridge_native_rtp", "bridge_holding",
    "codec_ulaw", "codec_alaw", "codec_a_mu", "format_wav", "format_pcm", "format_sln",
    "format_gsm", "chan_bridge_media",
)
_DIALPLAN = (
    "pbx_config", "app_dial", "app_playback", "app_playtones", "app_echo", "app_stack",
    "app_verbose", "app_read", "app_senddtmf", "app_mixmonitor", "app_userevent",
    "app_milliwatt", "func_callerid", "func_channel", "func_logic", "func_strings",
    "func_cut", "func_global", "func_timeout", "func_uuid", "func_rand", "func_math",
    "func_hangupcause", "func_pjsip_endpoint",
)
_ARI = (
    "res_http_websocket", "res_websocket_client", "res_stasis", "res_stasis_answer", "res_stasis_playback",
    "res_stasis_recording", "res_stasis_snoop", "res_stasis_device_state", "res_ari",
    "res_ari_model", "res_ari_applications", "res_ari_asterisk", "res_ari_bridges",
    "res_ari_channels", "res_ari_device_states", "res_ari_endpoints", "res_ari_events",
    "res_ari_playbacks", "res_ari_recordings", "res_ari_sounds",
)
_PBX_APPS = ("app_stasis", "app_amd", "app_waitforsilence", "app_chanspy", "app_authenticate", "app_record")

PBX_MODULES: tuple[str, ...] = _PJSIP + _MEDIA + _DIALPLAN + _ARI + _PBX_APPS
"""The PBX: SIP, media, a small dialplan, ARI, AMD and the supervisor applications."""

CARRIER_MODULES: tuple[str, ...] = _PJSIP + _MEDIA + _DIALPLAN
"""The lab's simulated carrier: SIP, media and the dialplan of its number plan."""
